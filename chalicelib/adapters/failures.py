"""Translate botocore failures into vdp's own errors (every adapter uses this)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from chalicelib.domain.errors import AlreadyExists, NotFound, Unavailable


@contextmanager
def translated(
    service: str, *, taken: tuple[str, ...] = (), missing: tuple[str, ...] = ()
) -> Iterator[None]:
    """Error codes in `taken` mean a conditional write lost, in `missing` an absent item;
    anything else (throttling, 5xx, timeouts, refusals, an answer botocore cannot read,
    such as a proxy's error page) means the service is unavailable."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in taken:
            raise AlreadyExists(service) from exc
        if code in missing:
            raise NotFound() from exc
        raise Unavailable(service) from exc
    except (BotoCoreError, ResponseParserError) as exc:  # the parser's error is no BotoCoreError
        raise Unavailable(service) from exc
