"""The boto3 session vdp's clients come from: botocore, minus two slow steps.

Before botocore loads a service's model it asks whether the name is in the list of every
service it ships, and builds that list by reading about 450 folders (once per kind of
file: the API model, the endpoint rules): about 20 ms of a cold start on the development
machine. Our loader answers the question for the one service asked, from that service's
own folder, and builds the whole list only when someone reads it. boto/botocore pull
request #3687 (open) proposes to skip the list upstream.

botocore also parses its JSON files into OrderedDicts, through a Python hook per object;
json's C parser builds plain dicts, as ordered, in about half the time: the intake's
clients and the endpoint table (1.2 MB) take about 18 ms less. Models, search paths and
AWS_DATA_PATH are botocore's own.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Sequence
from typing import Any, overload

import boto3
import botocore.session
from botocore.exceptions import DataNotFoundError
from botocore.loaders import JSONFileLoader, Loader


class ServiceNames(Sequence[str]):
    """The services botocore has a kind of model for; `in` reads one service's folder."""

    def __init__(self, loader: Loader, type_name: str) -> None:
        self._loader = loader
        self._type_name = type_name

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or name in ("", ".", "..") or os.sep in name:
            return False  # never a folder name in the listing
        try:
            return bool(self._loader.list_api_versions(name, self._type_name))
        except DataNotFoundError:
            return False

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def _all(self) -> list[str]:
        # botocore's own listing, cached by its loader after the first read.
        names: list[str] = Loader.list_available_services(self._loader, self._type_name)
        return names


class DictJSONFileLoader(JSONFileLoader):  # type: ignore[misc]  # botocore has no type hints
    """botocore's file reader (`name.json`, else `name.json.gz`), parsing into plain dicts."""

    def load_file(self, file_path: str) -> Any:
        for suffix, opener in ((".json", open), (".json.gz", gzip.open)):
            path = file_path + suffix
            if os.path.isfile(path):  # as botocore: anything else is "not here", not an error
                with opener(path, "rb") as file:
                    return json.loads(file.read().decode("utf-8"))
        return super().load_file(file_path)  # any format a later botocore adds


class QuickCheckLoader(Loader):  # type: ignore[misc]  # botocore has no type hints
    """botocore's model loader: ServiceNames for its lists, DictJSONFileLoader for files."""

    FILE_LOADER_CLASS = DictJSONFileLoader

    def list_available_services(self, type_name: str) -> ServiceNames:
        return ServiceNames(self, type_name)


def session() -> Any:
    """A boto3 session (not thread-safe: bootstrap holds a lock around it)."""
    core = botocore.session.get_session()
    stock = core.get_component("data_loader")  # botocore's, with AWS_DATA_PATH applied
    loader = QuickCheckLoader(
        extra_search_paths=list(stock.search_paths), include_default_search_paths=False
    )
    core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core)
