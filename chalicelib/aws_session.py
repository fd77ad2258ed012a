"""The boto3 session vdp's clients come from: botocore, minus one slow check.

Before botocore loads a service's model it asks whether the name is in the list of every
service it ships, and builds that list by reading about 450 folders (once per kind of
file: the API model, the endpoint rules): about 20 ms of a cold start on the development
machine. Our loader answers the question for the one service asked, from that service's
own folder, and builds the whole list only when someone reads it. Models, search paths
and AWS_DATA_PATH are botocore's own. boto/botocore pull request #3687 (open) proposes
to skip the list upstream.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, overload

import boto3
import botocore.session
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader


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


class QuickCheckLoader(Loader):  # type: ignore[misc]  # botocore has no type hints
    """botocore's model loader whose list of services is ServiceNames."""

    def list_available_services(self, type_name: str) -> ServiceNames:
        return ServiceNames(self, type_name)


def session() -> Any:
    """A boto3 session (not thread-safe: wiring holds a lock around it)."""
    core = botocore.session.get_session()
    stock = core.get_component("data_loader")  # botocore's, with AWS_DATA_PATH applied
    loader = QuickCheckLoader(
        extra_search_paths=list(stock.search_paths), include_default_search_paths=False
    )
    core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core)
