"""`vdp policy holidays`: refreshes the countries asked for and keeps the others."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chalicelib.domain.errors import PolicyError
from chalicelib.domain.policy.calendar import CACHE_FILE, write_cache
from vdp.cli.main import main


def test_only_the_countries_and_years_asked_for_are_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "holidays.json"
    cache.write_text(json.dumps({"DE": {"2030": ["2030-10-03"]}, "FR": {"2020": [], "2030": []}}))

    write_cache(["FR"], range(2030, 2031), cache)

    data = json.loads(cache.read_text())
    assert data["DE"] == {"2030": ["2030-10-03"]}
    assert data["FR"]["2020"] == [] and "2030-07-14" in data["FR"]["2030"]


def test_an_unknown_country_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    cache = tmp_path / "holidays.json"
    cache.write_text("{}")

    with pytest.raises(PolicyError, match="no holidays known for XX"):
        write_cache(["FR", "XX"], range(2030, 2031), cache)

    assert cache.read_text() == "{}"


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--country", "xx"], 1, "no holidays known for XX"),
        (["--years", "0"], 2, "0 is not in the range 1<=x<=50"),
    ],
)
def test_the_command_refuses_in_one_line_and_writes_nothing(
    tmp_path: Path, args: list[str], code: int, said: str
) -> None:
    cache = tmp_path / "holidays.json"
    cache.write_text("{}")

    result = CliRunner().invoke(main, ["policy", "holidays", "--file", str(cache), *args])

    assert result.exit_code == code and said in result.output, result.output
    assert "Traceback" not in result.output and cache.read_text() == "{}"


def test_the_command_adds_years_and_keeps_the_rest(tmp_path: Path) -> None:
    cache = tmp_path / "holidays.json"
    cache.write_text(json.dumps({"FR": {"1999": ["1999-07-14"]}, "DE": {"2030": []}}))
    shipped = CACHE_FILE.read_bytes()

    result = CliRunner().invoke(
        main, ["policy", "holidays", "--file", str(cache), "--country", "fr", "--years", "1"]
    )

    data = json.loads(cache.read_text())
    assert result.exit_code == 0 and result.output.startswith("wrote holidays.json: FR ")
    assert data["DE"] == {"2030": []} and data["FR"]["1999"] == ["1999-07-14"]
    assert len(data["FR"]) == 2 and CACHE_FILE.read_bytes() == shipped
