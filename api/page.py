# SPDX-License-Identifier: EUPL-1.2
"""The human-readable API page at ``/api/v1/``: what the API offers, in plain Dutch.

For a resident, a journalist or a developer who follows the "API" link of a chart: which
addresses there are, what a missing figure means, under which licence the figures may be
re-used, and the list of indicators with links to their figures. Plain HTML without
script (WCAG 2.1 AA: language set, landmarks, headings in order, tables with captions and
header cells, visible focus, sufficient contrast, readable at 320 px).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final
from urllib.parse import urlencode

from data.api_queries import IndicatorRecord
from data.warehouse import Cursor

_STYLE: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;
color:#1a1a1a;background:#fff;margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem}
a{color:#0b4f9c}a:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f2f2f2}
pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #767676;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:#e8e8e8}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
"""

_ENDPOINTS: Final = (
    ("meta", "", "Gegevensversie, bouwtijd, bronnen (met controlegetallen) en licenties."),
    ("indicators", "format=csv", "De openbare indicatoren met definitie, bron en licentie."),
    ("areas", "level=wijk&year=2024&gemeente=GM0392", "Gebieden van één niveau en jaar."),
    (
        "values",
        "indicator=inwoners&level=wijk&year=2024&gemeente=GM0392",
        "Cijfers van één indicator per gebied. Meer jaren: year=2015,2024 of year=all. "
        "Ook format=csv en format=xlsx.",
    ),
    (
        "geometry",
        "level=wijk&year=2024&gemeente=GM0392",
        "Grenzen als GeoJSON (WGS84), feature-id = gebiedscode.",
    ),
    ("catalog", "", "Metadata volgens DCAT-AP-DONL (JSON-LD), voor data.overheid.nl."),
    ("openapi.json", "", "Technische beschrijving (OpenAPI 3.1)."),
)


def render(
    cur: Cursor | None,
    *,
    base_url: str,
    api_path: str,
    indicators: Sequence[IndicatorRecord],
) -> str:
    """The page as HTML; without ``cur`` (no warehouse) it says the data is unavailable."""
    api = base_url + api_path
    home = api_path.removesuffix("/api/v1") + "/"
    if cur is not None:
        version = (
            f"<p>Gegevensversie <code>{escape(cur.data_version)}</code>, gebouwd op "
            f"<time>{escape(cur.info.built_at or 'onbekend')}</time>.</p>"
        )
    else:
        version = "<p><strong>De gegevens zijn op dit moment niet beschikbaar.</strong></p>"
    rows = "\n".join(
        f'<tr><th scope="row"><a href="{escape(api_path)}/{name}'
        f'{"?" + escape(query) if query else ""}"><code>/{name}</code></a></th>'
        f"<td>{escape(text)}</td></tr>"
        for name, query, text in _ENDPOINTS
    )
    example = f"{api}/values?indicator=inwoners&level=gemeente&year=2024&format=csv"
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Open data API – Buurtlens</title>
<style>{_STYLE}</style>
</head>
<body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header><p><a href="{escape(home)}">Buurtlens</a></p></header>
<main id="inhoud">
<h1>Open data API van Buurtlens</h1>
<p>Alle cijfers die Buurtlens laat zien, kunt u ook zelf ophalen en hergebruiken: per
gemeente, wijk en buurt, als JSON, CSV of Excel. U hebt geen account of sleutel nodig.</p>
{version}

<h2>Adressen</h2>
<table>
<caption>Adressen van de API, met een voorbeeld</caption>
<thead><tr><th scope="col">Adres</th><th scope="col">Wat u krijgt</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>Voorbeeld met <code>curl</code>:</p>
<pre><code>curl '{escape(example)}'</code></pre>

<h2>Verborgen en ontbrekende cijfers</h2>
<p>Elke rij heeft een <code>status</code>:</p>
<ul>
<li><code>ok</code>: het cijfer staat in <code>value</code>.</li>
<li><code>suppressed</code>: het cijfer is verborgen, omdat het anders iets over
individuele personen of huishoudens kan verraden.</li>
<li><code>missing</code>: er is geen cijfer in de bron.</li>
</ul>
<p>Zonder cijfer is <code>value</code> leeg (<code>null</code>) en staat de reden in
<code>reason</code>. Dat geldt voor JSON, CSV en Excel.</p>

<h2>Licentie en bronvermelding</h2>
<p>Elke indicator heeft een eigen bron en licentie. Die staan in elke rij (kolommen
<code>source</code> en <code>licence</code>), in de lijst hieronder en in de
HTTP-headers <code>Link</code> (<code>rel="license"</code>) en <code>X-Attribution</code>.
Cijfers van het CBS vallen onder <a href="https://creativecommons.org/licenses/by/4.0/deed.nl"
>CC BY 4.0</a>: vermeld bij hergebruik <q>Bron: CBS</q>.</p>

<h2>Versies en caching</h2>
<p>Elk antwoord noemt de gegevensversie in de header <code>X-Data-Version</code> en heeft
een <code>ETag</code>. Stuur die terug in <code>If-None-Match</code>: zolang de gegevens niet
veranderd zijn, krijgt u een kort antwoord <code>304 Not Modified</code>. De gegevens worden
hooguit één keer per nacht vernieuwd.</p>

<h2>Fouten</h2>
<p>Een onbekende of ongeldige parameter geeft <code>400</code>, een onbekende indicator,
jaar, gemeente, periode of gebied <code>404</code>, altijd met een uitleg in
<code>{{"error": "...", "parameter": "..."}}</code>.</p>

<h2>Indicatoren</h2>
{_indicator_table(indicators, api_path)}
</main>
</body>
</html>
"""


def _indicator_table(indicators: Sequence[IndicatorRecord], api_path: str) -> str:
    if not indicators:
        return "<p>Er zijn op dit moment geen indicatoren beschikbaar.</p>"
    rows = []
    for ind in indicators:
        if ind.years and ind.levels:
            query = urlencode(
                {"indicator": ind.id, "level": ind.levels[-1], "year": str(ind.years[-1])}
            )
            link = f'<a href="{escape(api_path)}/values?{escape(query)}">{escape(ind.id)}</a>'
            years = ", ".join(map(str, ind.years))
        else:
            link, years = escape(ind.id), "geen cijfers"
        licence = escape(ind.licence.text)
        if ind.licence.uri:
            licence = f'<a href="{escape(ind.licence.uri)}">{licence}</a>'
        rows.append(
            f'<tr><th scope="row">{escape(ind.label_nl)}</th><td><code>{link}</code></td>'
            f"<td>{escape(ind.unit)}</td><td>{escape(years)}</td>"
            f"<td>{escape(ind.source)}</td><td>{licence}</td></tr>"
        )
    body = "\n".join(rows)
    return f"""<table>
<caption>Openbare indicatoren ({len(indicators)}), met de jaren waarin er cijfers zijn</caption>
<thead><tr><th scope="col">Indicator</th><th scope="col">Id</th><th scope="col">Eenheid</th>
<th scope="col">Jaren</th><th scope="col">Bron</th><th scope="col">Licentie</th></tr></thead>
<tbody>
{body}
</tbody>
</table>"""
