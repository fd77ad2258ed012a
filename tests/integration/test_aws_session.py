"""The session vdp's clients come from: our services load as botocore would load them."""

import json
import os
from pathlib import Path

import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader

from chalicelib import aws_session


@pytest.mark.parametrize("service", aws_session.SERVICES)
def test_each_service_vdp_calls_gets_botocores_own_model(service: str) -> None:
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
    assert {Path(path).name for path in listed} <= set(aws_session.SERVICES)


def test_a_service_vdp_does_not_use_is_refused_by_name() -> None:
    with pytest.raises(UnknownServiceError) as caught:
        aws_session.session().client("ec2", region_name="us-east-1")
    assert "ec2" in str(caught.value)
    assert "dynamodb" in str(caught.value)


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
