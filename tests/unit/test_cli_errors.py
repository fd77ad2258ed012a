"""The one line a failed AWS call becomes at the team's terminal."""

from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from chalicelib.domain.errors import Unavailable
from vdp.cli.errors import describe_failure


def failed(code: str, operation: str, status: int = 400, message: str = "") -> Unavailable:
    response: dict = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    try:
        raise Unavailable("dynamodb") from ClientError(response, operation)  # type: ignore[arg-type]
    except Unavailable as exc:
        return exc


def test_a_refused_permission_names_the_call() -> None:
    line = describe_failure(failed("AccessDeniedException", "Query"))

    assert line.startswith("AWS denied dynamodb Query (AccessDeniedException)")


def test_a_refused_request_gives_aws_own_reason() -> None:
    line = describe_failure(failed("ValidationException", "Query", message="bad key"))

    assert line == "AWS refused dynamodb Query: ValidationException: bad key"


def test_passing_trouble_keeps_the_try_again_message() -> None:
    for exc in (failed("ThrottlingException", "Query"), failed("InternalError", "Query", 500)):
        assert describe_failure(exc) == f"{Unavailable.message} (dynamodb)"


def test_a_domain_error_caused_by_aws_keeps_its_own_words() -> None:
    from chalicelib.domain.errors import NotFound

    try:
        raise NotFound("no report VDP-7K3M-9QX2") from ClientError(
            {"Error": {"Code": "NoSuchKey", "Message": "gone"}}, "GetObject"
        )
    except NotFound as exc:
        assert describe_failure(exc) == "no report VDP-7K3M-9QX2"


def test_an_answer_botocore_cannot_read_is_named_in_one_short_line() -> None:
    page = "Unable to parse response (syntax error), invalid XML received:\n<html>" + "x" * 5000
    try:
        raise Unavailable("sns") from ResponseParserError(page)
    except Unavailable as exc:
        line = describe_failure(exc)

    assert line.startswith("sns answered unexpectedly (Unable to parse response")
    assert line.endswith("): check the endpoint") and "<html>" not in line and len(line) < 250
