"""Tools for translators (`onceonly dev translations`): what each language still lacks, and
catalogues brought up to date with the English tables.

`update_catalogue` keeps every current translation, adds an empty entry for each new message,
and marks an entry fuzzy when its English changed, keeping the old English beside it
(`#| msgid`), so a translator sees what changed and the page shows English until they confirm.
"""

from pathlib import Path
from typing import NamedTuple

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from onceonly.portal.catalogues import DOMAIN, catalogue_path, translated
from onceonly.portal.text import english_messages

PROJECT = "onceonly citizen portal"
HEADER = (
    "# The onceonly citizen portal's words in {language}.\n"
    "# Each msgctxt is a message id of onceonly/portal/text.py and each msgid its English.\n"
    "# Bring up to date with `onceonly dev translations --update --lang {lang}`."
)


class Missing(NamedTuple):
    """A message a language shows in English: never translated, or its English changed since."""

    message_id: str
    english: str
    stale: bool


def template() -> Catalog:
    """The catalogue template: every English message, its id as the context."""
    catalogue = Catalog(project=PROJECT, domain=DOMAIN, fuzzy=False)
    for message_id, english in english_messages().items():
        catalogue.add(english, context=message_id)
    return catalogue


def missing(lang: str) -> list[Missing]:
    """Every message `lang` shows in English, in the tables' order."""
    path = catalogue_path(lang)
    known: dict[str, object] = {}
    if path.is_file():
        with path.open("rb") as po:
            known = {m.context: m.string for m in read_po(po, locale=lang) if m.context}
    return [
        Missing(message_id, english, stale=bool(known.get(message_id)))
        for message_id, english in english_messages().items()
        if translated(lang, message_id, english) is None
    ]


def update_catalogue(lang: str) -> Path:
    """Bring `lang`'s catalogue (created if new) up to date with the English tables."""
    path = catalogue_path(lang)
    old: dict[str, Message] = {}
    if path.is_file():
        with path.open("rb") as po:
            old = {m.context: m for m in read_po(po, locale=lang, domain=DOMAIN) if m.context}
    catalogue = Catalog(
        locale=lang,
        project=PROJECT,
        version="1",
        domain=DOMAIN,
        fuzzy=False,
        header_comment=HEADER.format(language=Locale.parse(lang).english_name, lang=lang),
    )
    for message_id, english in english_messages().items():
        before = old.get(message_id)
        if before is None or not before.string:
            catalogue.add(english, context=message_id)
        elif before.id == english:
            catalogue.add(english, before.string, context=message_id, flags=before.flags)
        else:
            catalogue.add(
                english, before.string, context=message_id, flags={"fuzzy"}, previous_id=before.id
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalogue, width=100, include_previous=True)
    return path
