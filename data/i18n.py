# SPDX-License-Identifier: EUPL-1.2
"""Language: Dutch first, English by switch (``?lang=en``).

Texts are written where they are used, as a Dutch/English pair: ``t(lang, "Kaart", "Map")``.
That keeps every text next to its context (no central key list to drift out of step) and
makes a missing translation impossible. Number formats live in :mod:`data.shaping`.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["nl", "en"]
LANGS: Final[tuple[Lang, ...]] = ("nl", "en")
DEFAULT_LANG: Final[Lang] = "nl"


def parse_lang(value: object) -> Lang:
    """The language a URL asks for; anything unknown falls back to Dutch.

    >>> parse_lang("en"), parse_lang("EN "), parse_lang("fr"), parse_lang(None)
    ('en', 'en', 'nl', 'nl')
    """
    text = str(value or "").strip().lower()
    return "en" if text == "en" else DEFAULT_LANG


def t(lang: Lang, nl: str, en: str) -> str:
    """Pick the text of ``lang``.

    >>> t("en", "Kaart", "Map")
    'Map'
    """
    return en if lang == "en" else nl


def with_lang(href: str, lang: Lang) -> str:
    """Keep the language in an internal link: ``/kaart`` -> ``/kaart?lang=en`` for English.

    >>> with_lang("/kaart?jaar=2024", "en"), with_lang("/kaart", "nl")
    ('/kaart?jaar=2024&lang=en', '/kaart')
    """
    if lang == DEFAULT_LANG:
        return href
    return f"{href}{'&' if '?' in href else '?'}lang={lang}"
