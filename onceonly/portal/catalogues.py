"""The portal's translations, as gettext catalogues read with Babel.

English is written in the message tables (`onceonly/portal/text.py`); every other language is
`locales/<lang>/LC_MESSAGES/portal.po`. Each entry's context (`msgctxt`) is the message id and
its `msgid` the English words it translates, so when the English changes the old translation
no longer matches and the page falls back to English until a translator updates it: a stale
translation is never shown.
"""

from functools import cache
from pathlib import Path
from typing import NamedTuple

from babel.messages.pofile import read_po

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "portal"
ENGLISH = "en"
LANGUAGE_NAMES = {"en": "English", "mi": "Te reo Māori"}
"""Each language's name in itself, as the language switch shows it."""


class Translation(NamedTuple):
    """One catalogue entry: the English words it was made from, and the translation."""

    english: str
    words: str


def catalogue_path(lang: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """English and every language with a catalogue, in a stable order."""
    return (ENGLISH, *sorted(p.parent.parent.name for p in LOCALES.glob(f"*/*/{DOMAIN}.po")))


@cache
def translations(lang: str) -> dict[str, Translation]:
    """The language's translated entries by message id; fuzzy and empty entries left out.

    Read once per process: catalogues ship with the code, they do not change while it runs.
    """
    path = catalogue_path(lang)
    if lang == ENGLISH or not path.is_file():
        return {}
    with path.open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    entries: dict[str, Translation] = {}
    for message in catalogue:
        if not message.id or not message.context or message.fuzzy:
            continue
        if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            entries[message.context] = Translation(message.id, message.string)
    return entries


def translated(lang: str, message_id: str, english: str) -> str | None:
    """The translation of `english` (message `message_id`), if it is current."""
    entry = translations(lang).get(message_id)
    return entry.words if entry is not None and entry.english == english else None
