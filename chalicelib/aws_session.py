"""The boto3 session vdp's clients come from: botocore, told which services vdp uses.

Before it loads one service's model, botocore's loader lists every service it
ships (about 450 directories, once per kind of file: the API model and the
endpoint rules) only to check the name; that is about 20 ms of a Lambda cold
start. Upstream means to drop the listing (boto/botocore pull request #3687);
until then our loader answers the question for the services below and loads
everything else exactly as botocore does (same search paths, AWS_DATA_PATH
included).
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, instance_cache

# Every AWS service vdp calls: the intake, the team's CLI and `vdp serve`'s bootstrap.
SERVICES = ("dynamodb", "kms", "s3", "secretsmanager", "sns", "sqs", "sts")


class ServicesLoader(Loader):  # type: ignore[misc]  # botocore has no type hints
    """botocore's model loader whose known services are ours that it can find."""

    @instance_cache  # type: ignore[untyped-decorator]
    def list_available_services(self, type_name: str) -> list[str]:
        return [name for name in SERVICES if self._has(name, type_name)]

    def _has(self, service: str, type_name: str) -> bool:
        try:
            return bool(self.list_api_versions(service, type_name))
        except DataNotFoundError:
            return False


def session() -> Any:
    """A boto3 session (not thread-safe: wiring holds a lock around it)."""
    core = botocore.session.get_session()
    stock = core.get_component("data_loader")  # botocore's, with AWS_DATA_PATH applied
    loader = ServicesLoader(
        extra_search_paths=list(stock.search_paths), include_default_search_paths=False
    )
    core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core)
