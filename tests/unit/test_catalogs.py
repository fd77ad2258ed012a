"""The reporter's languages: every text a reporter reads is in the catalogs, translated into
each language the policy offers, and the compiled catalogs match their sources."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from chalicelib.domain import language
from chalicelib.domain.policy.document import load_policy
from tests.conftest import PROJECT_DIR

LOCALES = PROJECT_DIR / "chalicelib" / "locales"
KEYWORDS = {"_": None, "N_": None, "say": None}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A call inside an f-string's braces: Babel's extractor cannot see it under Python 3.11.
HIDDEN_CALL = re.compile(r"""f(["']).*?\{\s*(?:_|N_|say)\(""")


def catalog_of(path: Path) -> list[Message]:
    with path.open("rb") as source:
        return list(read_po(source))


def source_texts() -> set[str]:
    found = extract_from_dir(
        str(PROJECT_DIR / "chalicelib"),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
    )
    return {message for _path, _line, message, _comments, _context in found}


def test_the_template_holds_every_text_the_code_marks() -> None:
    template = {m.id for m in catalog_of(LOCALES / "messages.pot") if m.id}

    assert source_texts() == template, "run `make messages`, then translate what is new"


def test_no_text_hides_in_an_f_string_where_extraction_misses_it() -> None:
    hidden = [
        f"{path.relative_to(PROJECT_DIR)}:{number}"
        for path in (PROJECT_DIR / "chalicelib").rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HIDDEN_CALL.search(line)
    ]

    assert hidden == []


@pytest.mark.parametrize("code", [c for c in load_policy().languages if c != "en"])
def test_each_policy_language_translates_every_text(code: str) -> None:
    texts = {m.id: m for m in catalog_of(LOCALES / code / "LC_MESSAGES" / "messages.po") if m.id}

    untranslated = sorted(t for t in source_texts() if t not in texts or not texts[t].string)
    fuzzy = sorted(m.id for m in texts.values() if m.fuzzy)
    placeholders = sorted(
        m.id
        for m in texts.values()
        if m.string and set(PLACEHOLDER.findall(m.id)) != set(PLACEHOLDER.findall(m.string))
    )
    assert (untranslated, fuzzy, placeholders) == ([], [], [])
    assert code in language.available()


@pytest.mark.parametrize("po", sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")), ids=str)
def test_the_compiled_catalog_is_its_source_compiled(po: Path) -> None:
    compiled = io.BytesIO()
    with po.open("rb") as source:
        write_mo(compiled, read_po(source))

    assert po.with_suffix(".mo").read_bytes() == compiled.getvalue(), "run `make catalogs`"


def test_a_text_is_written_in_the_current_language() -> None:
    with language.speaking("de"):
        german = language._("Report received")
        date = language.long_date(datetime.date(2026, 12, 4))
    english = language._("Report received")

    assert (german, date, english) == ("Meldung eingegangen", "4. Dezember 2026", "Report received")


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-FR, en;q=0.5, de;q=0.7", "de"),
        ("fr, *;q=0.1", "en"),
        ("de;q=0, en", "en"),
        ("", "en"),
        (None, "en"),
        ("de;q=banana, en;q=0.2", "en"),
        ("x" * 5000, "en"),
    ],
)
def test_accept_language_picks_among_the_policy_languages(header: str | None, chosen: str) -> None:
    assert language.negotiate(header, ["en", "de"]) == chosen
