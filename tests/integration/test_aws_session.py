"""The session vdp's clients come from: our services load as botocore would load them."""

import gzip
import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader

from chalicelib.adapters import session as aws_session
from tests.conftest import PROJECT_DIR

# vdp's services, and two that botocore itself creates to sign in a team member (AWS SSO).
SERVICES = (
    "dynamodb", "dynamodbstreams", "kms", "s3", "secretsmanager", "sns", "sqs", "sts", "sso",
    "sso-oidc",
)  # fmt: skip


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_gets_botocores_own_model(service: str) -> None:
    client = aws_session.session().client(service, region_name="us-east-1")

    stock = Loader().load_service_model(service, "service-2")
    assert client.meta.service_model.api_version == stock["metadata"]["apiVersion"]
    assert sorted(client.meta.service_model.operation_names) == sorted(stock["operations"])


def test_the_intake_never_lists_botocores_service_directories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed: list[str] = []
    real_listdir = os.listdir

    def listdir(path: str) -> list[str]:
        listed.append(str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    session = aws_session.session()
    for service in ("kms", "s3", "dynamodb", "sns", "secretsmanager"):
        session.client(service, region_name="us-east-1")

    # Only the five services' own directories (one listing each, per search path).
    assert listed
    assert {Path(path).name for path in listed} <= {
        "kms",
        "s3",
        "dynamodb",
        "sns",
        "secretsmanager",
    }


# Model files of every kind the intake's clients read: plain .json and .json.gz.
FILES = [
    *(f"{service}/service-2" for service in ("kms", "s3", "dynamodb", "sns", "secretsmanager")),
    *(f"{service}/endpoint-rule-set-1" for service in ("s3", "dynamodb")),
    "endpoints",
    "partitions",
    "_retry",
    "sdk-default-configuration",
]


@pytest.mark.parametrize("name", FILES)
def test_files_read_as_botocore_reads_them_in_plain_dicts(name: str) -> None:
    ours = aws_session.QuickCheckLoader()
    stock = Loader()
    if "/" in name:
        service, kind = name.split("/")
        data, expected = (
            ours.load_service_model(service, kind),
            stock.load_service_model(service, kind),
        )
    else:
        data, expected = ours.load_data(name), stock.load_data(name)

    # The same content in the same key order (json.dumps keeps both kinds' order) ...
    assert json.dumps(data) == json.dumps(expected)
    # ... as dicts, which json's C parser builds without a Python call per object.
    assert type(data) is dict and type(expected) is not dict


def test_a_file_reads_as_botocore_reads_it_wherever_it_lies(tmp_path: Path) -> None:
    # Given a model as .json and as .json.gz, a folder named like a model, a plain file
    # where a folder is expected, and nothing at all
    (tmp_path / "model.json").write_text('{"from": "json"}')
    with gzip.open(tmp_path / "model.json.gz", "wt") as packed:
        packed.write('{"from": "gzip"}')
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "only.json.gz").write_bytes(gzip.compress(b'{"from": "gzip"}'))
    paths = ["model", "only", "folder", "file/endpoints", "missing"]

    # When our reader and botocore's read them, then both find the same, .json first,
    # and a path that holds no file is None for both, never an error
    ours = [aws_session.DictJSONFileLoader().load_file(str(tmp_path / p)) for p in paths]
    stock = [JSONFileLoader().load_file(str(tmp_path / p)) for p in paths]
    assert ours == stock == [{"from": "json"}, {"from": "gzip"}, None, None, None]


def test_the_list_of_services_reads_as_botocores_own() -> None:
    session = aws_session.session()
    ours = session._loader  # boto3 added its own data folder to it, as to botocore's
    stock = Loader(extra_search_paths=list(ours.search_paths), include_default_search_paths=False)

    listed = ours.list_available_services("service-2")
    assert list(listed) == stock.list_available_services("service-2")
    assert "s3" in listed and "no-such-service" not in listed
    assert sorted(session.get_available_services()) == stock.list_available_services("service-2")


def test_an_unknown_service_is_refused_as_botocore_refuses_it() -> None:
    with pytest.raises(UnknownServiceError) as caught:
        aws_session.session().client("no-such-service", region_name="us-east-1")
    assert "no-such-service" in str(caught.value)
    assert "dynamodb, " in str(caught.value)  # botocore names the services it has


def test_aws_data_path_still_overrides_a_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a customised SNS model under AWS_DATA_PATH, as botocore documents it
    stock = Loader().load_service_model("sns", "service-2")
    version = stock["metadata"]["apiVersion"]
    custom = {**stock, "documentation": "customised"}
    model = tmp_path / "sns" / version / "service-2.json"
    model.parent.mkdir(parents=True)
    model.write_text(json.dumps(custom))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))

    # When vdp's session loads SNS, then the customised model wins, as with botocore's loader
    client = aws_session.session().client("sns", region_name="us-east-1")
    assert client.meta.service_model.documentation == "customised"


def test_a_team_member_signed_in_with_sso_gets_as_far_as_asking_sso(tmp_path: Path) -> None:
    # Given an AWS SSO profile with a cached sign-in, and no SSO service reachable
    start_url = "https://example.awsapps.com/start"
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(
        "[profile team]\n"
        f"sso_start_url = {start_url}\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = SecurityTeam\nregion = us-east-1\n"
    )
    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = {"startUrl": start_url, "region": "us-east-1", "accessToken": "t", "expiresAt": expires}
    # botocore's cache file name for a start URL's token
    name = hashlib.sha1(start_url.encode(), usedforsecurity=False).hexdigest()
    (cache / f"{name}.json").write_text(json.dumps(token))
    # A new process, as the CLI is: botocore fixes its token folder from HOME at import.
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_PROFILE="team",
        AWS_ENDPOINT_URL_SSO="http://127.0.0.1:9",
    )
    probe = (
        "from botocore.exceptions import EndpointConnectionError\n"
        "from chalicelib.adapters import session as aws_session\n"
        "sts = aws_session.session().client('sts', region_name='us-east-1')\n"
        "try:\n"
        "    sts.get_caller_identity()\n"
        "except EndpointConnectionError as exc:\n"
        "    print(exc)\n"
    )

    # When a client signs a call, then botocore's own SSO client asks for the role's keys
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=PROJECT_DIR, capture_output=True,
        text=True, check=False, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    assert "127.0.0.1:9" in result.stdout
