"""The portal's translations: gettext catalogues that standard tools read, translations that
take the same parameters as their English, stale translations never shown, and a translator's
list of what is still in English."""

import gettext
import io
import re
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from starlette.requests import Request

from onceonly.cli import main
from onceonly.portal import catalogues, translators
from onceonly.portal.catalogues import catalogue_path, translations
from onceonly.portal.pages import LANG_COOKIE, page_lang, when
from onceonly.portal.text import english_messages, field_words, state_words, text


def placeholders(words: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(words) if name is not None}


def test_the_maori_catalogue_reads_the_same_through_the_standard_gettext_module():
    # Compiled with Babel and read back by Python's own gettext: an independent reader.
    with catalogue_path("mi").open("rb") as po:
        catalogue = read_po(po, locale="mi")
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    standard = gettext.GNUTranslations(compiled)
    english = english_messages()
    translated = translations("mi")
    assert len(translated) >= 80
    for message_id, entry in translated.items():
        assert standard.pgettext(message_id, english[message_id]) == entry.words
    assert text("nav.signin", "mi") == standard.pgettext("nav.signin", "Sign in") != "Sign in"


def test_every_translation_takes_the_parameters_of_its_english():
    english = english_messages()
    for message_id, entry in translations("mi").items():
        assert message_id in english, f"{message_id}: no longer an English message"
        assert placeholders(entry.words) == placeholders(english[message_id]), message_id
    assert text("nav.signed_in_as", "mi", subject="aroha") == "Kua takiuru koe hei aroha"


def test_states_and_fields_are_translated_under_their_own_ids():
    assert state_words("completed", "mi") == "Kua oti"
    assert state_words("confirmed_by_agency", "mi") == "Confirmed by agency"
    assert field_words("child.name", "mi") == field_words("child.name")  # not translated yet


@pytest.fixture
def locales(tmp_path, monkeypatch):
    """Catalogues in a folder of the test's own."""
    monkeypatch.setattr(catalogues, "LOCALES", tmp_path)
    translations.cache_clear()
    yield tmp_path
    translations.cache_clear()


def write_catalogue(lang: str, entries: list[tuple[str, str, str, bool]]) -> None:
    catalogue = Catalog(locale=lang, domain="portal")
    for message_id, english, words, fuzzy in entries:
        catalogue.add(english, words, context=message_id, flags={"fuzzy"} if fuzzy else ())
    path = catalogue_path(lang)
    path.parent.mkdir(parents=True)
    with path.open("wb") as po:
        write_po(po, catalogue)


def test_a_translation_of_words_since_changed_or_fuzzy_falls_back_to_english(locales):
    write_catalogue(
        "mi",
        [
            ("nav.signin", "Sign in", "Takiuru", False),
            ("nav.signout", "Log out", "Takiputa", False),  # the English is now "Sign out"
            ("nav.home", "Your life events", "Ō kaupapa", True),
        ],
    )
    assert text("nav.signin", "mi") == "Takiuru"
    assert text("nav.signout", "mi") == "Sign out"
    assert text("nav.home", "mi") == "Your life events"
    missing = {gap.message_id: gap.stale for gap in translators.missing("mi")}
    assert "nav.signin" not in missing
    assert missing["nav.signout"] is True and missing["nav.home"] is True
    assert missing["skip"] is False
    assert len(missing) == len(english_messages()) - 1


def test_updating_a_catalogue_keeps_translations_and_marks_changed_english_fuzzy(locales):
    write_catalogue(
        "mi",
        [
            ("nav.signin", "Sign in", "Takiuru", False),
            ("nav.signout", "Log out", "Takiputa", False),
        ],
    )
    translators.update_catalogue("mi")
    with catalogue_path("mi").open("rb") as po:
        updated = {m.context: m for m in read_po(po, locale="mi") if m.context}
    assert set(updated) == set(english_messages())
    assert updated["nav.signin"].string == "Takiuru" and not updated["nav.signin"].fuzzy
    signout = updated["nav.signout"]
    assert (signout.id, signout.string, signout.fuzzy) == ("Sign out", "Takiputa", True)
    # The old English beside it for the translator (Babel writes `#|` but does not read it).
    assert '#| msgid "Log out"\nmsgctxt "nav.signout"' in catalogue_path("mi").read_text()
    assert updated["skip"].string == ""


def test_the_translations_command_lists_what_is_shown_in_english(capsys):
    assert main(["dev", "translations", "--lang", "mi"]) == 0
    out, err = capsys.readouterr()
    listed = [line.split("\t")[0] for line in out.splitlines()]
    assert listed == [gap.message_id for gap in translators.missing("mi")]
    assert "nav.signin" not in listed and "form.example" in listed
    assert f"{len(listed)} message(s) shown in English in 'mi'" in err


def request_with(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    ("headers", "lang"),
    [
        ({}, "en"),
        ({"Accept-Language": "mi-NZ, en;q=0.8"}, "mi"),
        ({"Accept-Language": "en-NZ, mi;q=0.8"}, "en"),
        ({"Accept-Language": "fr-FR, de"}, "en"),
        ({"Accept-Language": ";;;, =x"}, "en"),
        ({"Cookie": f"{LANG_COOKIE}=mi", "Accept-Language": "en"}, "mi"),
        ({"Cookie": f"{LANG_COOKIE}=xx", "Accept-Language": "mi"}, "mi"),
    ],
)
def test_the_page_language_is_the_choice_else_the_browsers_else_english(headers, lang):
    assert page_lang(request_with(headers)) == lang


def test_dates_read_in_the_pages_language_with_the_unicode_cldr_month_names():
    assert when("2027-01-20", "Pacific/Auckland", "mi") == "20 Hānuere 2027"
    assert when("2026-11-25T03:04:00+00:00", "Pacific/Auckland", "mi").startswith("25 Noema 2026")


def test_every_message_a_template_or_route_names_is_written():
    # A literal id with no English is a page that fails (KeyError) for the citizen.
    named = set()
    for source in Path("onceonly/portal").rglob("*"):
        if source.suffix in {".html", ".py"}:
            named |= set(
                re.findall(
                    r"\b(?:t|text)\(\s*[\"']([a-z_]+\.[a-z0-9_.]*[a-z0-9_])[\"']\s*[,)]",
                    source.read_text(),
                )
            )
    assert len(named) > 200
    assert named <= set(english_messages()), sorted(named - set(english_messages()))
