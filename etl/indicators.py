# SPDX-License-Identifier: EUPL-1.2
"""The indicator catalogue and the mapping from CBS column names to stable indicator ids.

One indicator is one series across years and sources: ``inwoners`` is ``AANT_INW`` in the
wijk- en buurtkaart up to 2020, ``aantal_inwoners`` in the kaart from 2021, ``aantalInwoners``
at PDOK, ``AantalInwoners_5`` in StatLine table 85984NED (2024) and ``AantalInwoners_8`` in
another year's table. Rather than a table per year of numbered keys, column names are
normalised (lower case, no separators, StatLine's ``_<n>`` suffix removed) and looked up in
the aliases below; Shapefile names cut to 10 characters match a unique alias prefix.

To add a CBS indicator: add an :class:`Indicator` to :data:`CATALOGUE` with the column names
it has in the kaart, at PDOK and in StatLine. Nothing else needs to change.

Indicators that are not built in (a municipality's own definitions, the benchmark's synthetic
ones) are added at run time with :func:`register`, before the ETL runs; everything that needs
the whole catalogue (the warehouse's ``indicators`` table, the run's input fingerprint) reads
:func:`all_indicators`, and the column lookups below see registered aliases too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

Aggregation = Literal["sum", "weighted_mean", "none"]

CBS_LICENCE: Final = "CC BY 4.0, Bron: CBS"
CBS_SOURCE: Final = "CBS Kerncijfers wijken en buurten"


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator catalogue (the ``indicators`` table of the warehouse)."""

    id: str
    label_nl: str
    label_en: str
    theme: str
    unit: str
    definition_nl: str
    definition_en: str
    decimals: int = 0
    aggregation: Aggregation = "sum"
    numerator: str | None = None
    denominator: str | None = None
    #: Disclosure rule id (see issue on disclosure control); CBS figures arrive protected.
    disclosure_rule: str = "cbs"
    higher_is_better: bool | None = None
    source: str = CBS_SOURCE
    source_table: str = "Kerncijfers wijken en buurten (StatLine) / Wijk- en buurtkaart"
    licence: str = CBS_LICENCE
    access: Literal["public", "internal"] = "public"
    aliases: tuple[str, ...] = field(default=(), repr=False)


# --- BAG (Kadaster) ---------------------------------------------------------------------
#
# Counted per area by etl/sources/bag.py from the verblijfsobjecten and panden of the BAG.
# Disclosure rule "none", a decision: the BAG is a public register of *objects*, not of
# persons. Every attribute counted here (gebruiksdoel, status, floor area, construction
# year, location) is public per object in the BAG viewer and the open PDOK services, so a
# count or an average over a few objects reveals nothing that is not published object by
# object already. A figure that combines the BAG with persons (a registration per 1,000
# dwellings) is protected through the rule of that figure (its numerator), not here.

BAG_SOURCE: Final = "Kadaster, Basisregistratie Adressen en Gebouwen (BAG)"
BAG_SOURCE_TABLE: Final = "BAG verblijfsobjecten en panden, per buurt geteld door Buurtlens"
BAG_LICENCE: Final = "CC0 1.0, Bron: Kadaster (BAG)"
#: (id suffix, label, lowest year, highest year) of the construction periods.
BAG_BOUWJAAR_KLASSEN: Final[tuple[tuple[str, str, int | None, int | None], ...]] = (
    ("voor_1945", "voor 1945", None, 1944),
    ("1945_1964", "1945-1964", 1945, 1964),
    ("1965_1974", "1965-1974", 1965, 1974),
    ("1975_1984", "1975-1984", 1975, 1984),
    ("1985_1994", "1985-1994", 1985, 1994),
    ("1995_2004", "1995-2004", 1995, 2004),
    ("2005_2014", "2005-2014", 2005, 2014),
    ("2015_en_later", "2015 en later", 2015, None),
)
#: The eleven gebruiksdoelen of the BAG (IMBAG domain values), as written in the BAG.
BAG_GEBRUIKSDOELEN: Final[tuple[str, ...]] = (
    "woonfunctie",
    "bijeenkomstfunctie",
    "celfunctie",
    "gezondheidszorgfunctie",
    "industriefunctie",
    "kantoorfunctie",
    "logiesfunctie",
    "onderwijsfunctie",
    "sportfunctie",
    "winkelfunctie",
    "overige gebruiksfunctie",
)
#: The statuses of a pand (IMBAG domain values), as written in the BAG.
BAG_PAND_STATUSES: Final[tuple[str, ...]] = (
    "Bouwvergunning verleend",
    "Niet gerealiseerd pand",
    "Bouw gestart",
    "Pand in gebruik (niet ingemeten)",
    "Pand in gebruik",
    "Verbouwing pand",
    "Sloopvergunning verleend",
    "Pand gesloopt",
    "Pand buiten gebruik",
    "Pand ten onrechte opgevoerd",
)
_GEBRUIKSDOEL_EN: Final[dict[str, str]] = {
    "woonfunctie": "residential use",
    "bijeenkomstfunctie": "assembly use",
    "celfunctie": "detention use",
    "gezondheidszorgfunctie": "healthcare use",
    "industriefunctie": "industrial use",
    "kantoorfunctie": "office use",
    "logiesfunctie": "lodging use",
    "onderwijsfunctie": "education use",
    "sportfunctie": "sport use",
    "winkelfunctie": "retail use",
    "overige gebruiksfunctie": "other use",
}
_EXISTING_VBO_NL: Final = (
    "met status in gebruik, in gebruik (niet ingemeten), verbouwing of buiten gebruik"
)
_EXISTING_VBO_EN: Final = "with status in use (measured or not), renovation or out of use"


def bag_status_id(status: str) -> str:
    """The indicator id of the count of panden with ``status``.

    >>> bag_status_id("Pand in gebruik (niet ingemeten)")
    'panden_in_gebruik_niet_ingemeten'
    """
    words = re.sub(r"[^a-z]+", " ", status.lower()).split()
    return "panden_" + "_".join(w for w in words if w != "pand")


def _bag(
    ind_id: str, label_nl: str, label_en: str, theme: str, definition_nl: str, definition_en: str,
    *, unit: str = "aantal", decimals: int = 0, aggregation: Aggregation = "sum",
    numerator: str | None = None, denominator: str | None = None,
) -> Indicator:  # fmt: skip
    return Indicator(
        ind_id, label_nl, label_en, theme, unit, definition_nl, definition_en,
        decimals=decimals, aggregation=aggregation, numerator=numerator,
        denominator=denominator, disclosure_rule="none", source=BAG_SOURCE,
        source_table=BAG_SOURCE_TABLE, licence=BAG_LICENCE,
    )  # fmt: skip


def _bag_catalogue() -> tuple[Indicator, ...]:
    """The BAG indicators (see the comment above :data:`BAG_SOURCE`)."""
    woning_nl = f"Verblijfsobjecten met (ten minste) een woonfunctie, {_EXISTING_VBO_NL}"
    woning_en = f"Addressable units with (at least) a residential use, {_EXISTING_VBO_EN}"
    out = [
        _bag("woningen_bag", "Woningen (BAG)", "Dwellings (BAG)", "Wonen",
             f"{woning_nl}, op de peildatum van het BAG-extract.",
             f"{woning_en}, at the reference date of the BAG extract."),
    ]  # fmt: skip
    for suffix, label, low, high in BAG_BOUWJAAR_KLASSEN:
        label_en = label.replace("voor", "before").replace("en later", "or later")
        if low is None:
            span_nl, span_en = f"gebouwd voor {high + 1}", f"built before {high + 1}"  # type: ignore[operator]
        elif high is None:
            span_nl, span_en = f"gebouwd in {low} of later", f"built in {low} or later"
        else:
            span_nl, span_en = f"gebouwd in {low} t/m {high}", f"built {low} to {high}"
        out.append(
            _bag(f"woningen_bouwjaar_{suffix}", f"Woningen, bouwjaar {label}",
                 f"Dwellings, built {label_en}",
                 "Wonen", f"Woningen (BAG) in een pand {span_nl} (oorspronkelijk bouwjaar).",
                 f"Dwellings (BAG) in a building {span_en} (original construction year).")
        )  # fmt: skip
    out += [
        _bag("woningen_bouwjaar_onbekend", "Woningen, bouwjaar onbekend",
             "Dwellings, construction year unknown", "Wonen",
             "Woningen (BAG) zonder bruikbaar bouwjaar (leeg, voor 1200 of meer dan vijf jaar "
             "na de peildatum).",
             "Dwellings (BAG) without a usable construction year."),
        _bag("aandeel_woningen_voor_1945", "Woningen gebouwd voor 1945 (%)",
             "Dwellings built before 1945 (%)", "Wonen",
             "Woningen met bouwjaar voor 1945 als percentage van alle woningen (BAG).",
             "Dwellings built before 1945 as a percentage of all dwellings (BAG).",
             unit="%", decimals=1, aggregation="weighted_mean",
             numerator="woningen_bouwjaar_voor_1945", denominator="woningen_bag"),
        _bag("gemiddelde_oppervlakte_woning", "Gemiddelde oppervlakte van woningen",
             "Average floor area of dwellings", "Wonen",
             "Gemiddelde gebruiksoppervlakte (BAG) van de woningen met een oppervlakte van 1 "
             "tot 100.000 m².",
             "Average usable floor area (BAG) of dwellings with an area of 1 to 100,000 m².",
             unit="m²", aggregation="weighted_mean", denominator="woningen_bag"),
        _bag("verblijfsobjecten", "Verblijfsobjecten", "Addressable units", "Gebouwen",
             f"Verblijfsobjecten (BAG) {_EXISTING_VBO_NL}, ongeacht hun gebruiksdoel.",
             f"Addressable units (BAG) {_EXISTING_VBO_EN}, whatever their use."),
    ]  # fmt: skip
    for doel in BAG_GEBRUIKSDOELEN:
        key = doel.replace(" ", "_")
        out.append(
            _bag(f"verblijfsobjecten_{key}", f"Verblijfsobjecten met {doel}",
                 f"Addressable units with {_GEBRUIKSDOEL_EN[doel]}", "Gebouwen",
                 f"Verblijfsobjecten (BAG) {_EXISTING_VBO_NL} met onder meer de {doel}. Een "
                 "verblijfsobject met meer gebruiksdoelen telt bij elk daarvan.",
                 f"Addressable units (BAG) {_EXISTING_VBO_EN} with (among others) the use "
                 f"{_GEBRUIKSDOEL_EN[doel]}; a unit with several uses counts for each.")
        )  # fmt: skip
    out.append(
        _bag("panden", "Panden", "Buildings", "Gebouwen",
             "Panden (BAG) met status in gebruik (ook niet ingemeten), verbouwing, "
             "sloopvergunning verleend of buiten gebruik.",
             "Buildings (BAG) in use (measured or not), under renovation, with a demolition "
             "permit or out of use.")
    )  # fmt: skip
    for status in BAG_PAND_STATUSES:
        out.append(
            _bag(bag_status_id(status), f"Panden met status '{status}'",
                 f"Buildings with status '{status}'", "Gebouwen",
                 f"Panden (BAG) met status '{status}'.",
                 f"Buildings (BAG) with status '{status}'.")
        )  # fmt: skip
    return tuple(out)


CATALOGUE: Final[tuple[Indicator, ...]] = (
    Indicator(
        "inwoners",
        "Inwoners",
        "Inhabitants",
        "Bevolking",
        "aantal",
        "Aantal inwoners op 1 januari, volgens de Basisregistratie Personen.",
        "Number of inhabitants on 1 January (Personal Records Database).",
        aliases=("AANT_INW", "aantal_inwoners", "aantalInwoners", "AantalInwoners"),
    ),
    Indicator(
        "mannen",
        "Mannen",
        "Men",
        "Bevolking",
        "aantal",
        "Aantal inwoners van het mannelijk geslacht op 1 januari.",
        "Number of male inhabitants on 1 January.",
        aliases=("AANT_MAN", "mannen", "Mannen"),
    ),
    Indicator(
        "vrouwen",
        "Vrouwen",
        "Women",
        "Bevolking",
        "aantal",
        "Aantal inwoners van het vrouwelijk geslacht op 1 januari.",
        "Number of female inhabitants on 1 January.",
        aliases=("AANT_VROUW", "vrouwen", "Vrouwen"),
    ),
    Indicator(
        "aandeel_0_14_jaar",
        "Inwoners 0 tot 15 jaar (%)",
        "Inhabitants aged 0-14 (%)",
        "Bevolking",
        "%",
        "Aandeel inwoners van 0 tot 15 jaar in het totaal aantal inwoners.",
        "Share of inhabitants aged 0 to 14 in all inhabitants.",
        aggregation="weighted_mean",
        denominator="inwoners",
        aliases=("P_00_14_JR", "percentage_personen_0_tot_15_jaar", "percentagePersonen0Tot15Jaar"),
    ),
    Indicator(
        "aandeel_15_24_jaar",
        "Inwoners 15 tot 25 jaar (%)",
        "Inhabitants aged 15-24 (%)",
        "Bevolking",
        "%",
        "Aandeel inwoners van 15 tot 25 jaar in het totaal aantal inwoners.",
        "Share of inhabitants aged 15 to 24 in all inhabitants.",
        aggregation="weighted_mean",
        denominator="inwoners",
        aliases=(
            "P_15_24_JR",
            "percentage_personen_15_tot_25_jaar",
            "percentagePersonen15Tot25Jaar",
        ),
    ),
    Indicator(
        "aandeel_25_44_jaar",
        "Inwoners 25 tot 45 jaar (%)",
        "Inhabitants aged 25-44 (%)",
        "Bevolking",
        "%",
        "Aandeel inwoners van 25 tot 45 jaar in het totaal aantal inwoners.",
        "Share of inhabitants aged 25 to 44 in all inhabitants.",
        aggregation="weighted_mean",
        denominator="inwoners",
        aliases=(
            "P_25_44_JR",
            "percentage_personen_25_tot_45_jaar",
            "percentagePersonen25Tot45Jaar",
        ),
    ),
    Indicator(
        "aandeel_45_64_jaar",
        "Inwoners 45 tot 65 jaar (%)",
        "Inhabitants aged 45-64 (%)",
        "Bevolking",
        "%",
        "Aandeel inwoners van 45 tot 65 jaar in het totaal aantal inwoners.",
        "Share of inhabitants aged 45 to 64 in all inhabitants.",
        aggregation="weighted_mean",
        denominator="inwoners",
        aliases=(
            "P_45_64_JR",
            "percentage_personen_45_tot_65_jaar",
            "percentagePersonen45Tot65Jaar",
        ),
    ),
    Indicator(
        "aandeel_65_plus",
        "Inwoners 65 jaar of ouder (%)",
        "Inhabitants aged 65+ (%)",
        "Bevolking",
        "%",
        "Aandeel inwoners van 65 jaar of ouder in het totaal aantal inwoners.",
        "Share of inhabitants aged 65 or over in all inhabitants.",
        aggregation="weighted_mean",
        denominator="inwoners",
        aliases=(
            "P_65_EO_JR",
            "percentage_personen_65_jaar_en_ouder",
            "percentagePersonen65JaarEnOuder",
        ),
    ),
    Indicator(
        "inwoners_0_14_jaar",
        "Inwoners 0 tot 15 jaar",
        "Inhabitants aged 0-14",
        "Bevolking",
        "aantal",
        "Aantal inwoners van 0 tot 15 jaar op 1 januari.",
        "Number of inhabitants aged 0 to 14 on 1 January.",
        aliases=("k_0Tot15Jaar", "0 tot 15 jaar"),
    ),
    Indicator(
        "inwoners_65_plus",
        "Inwoners 65 jaar of ouder",
        "Inhabitants aged 65+",
        "Bevolking",
        "aantal",
        "Aantal inwoners van 65 jaar of ouder op 1 januari.",
        "Number of inhabitants aged 65 or over on 1 January.",
        aliases=("k_65JaarOfOuder", "65 jaar of ouder"),
    ),
    Indicator(
        "huishoudens",
        "Huishoudens",
        "Households",
        "Huishoudens",
        "aantal",
        "Aantal particuliere huishoudens op 1 januari.",
        "Number of private households on 1 January.",
        aliases=("AANTAL_HH", "aantal_huishoudens", "aantalHuishoudens", "HuishoudensTotaal"),
    ),
    Indicator(
        "aandeel_eenpersoonshuishoudens",
        "Eenpersoonshuishoudens (%)",
        "Single-person households (%)",
        "Huishoudens",
        "%",
        "Aandeel eenpersoonshuishoudens in het totaal aantal particuliere huishoudens.",
        "Share of single-person households in all private households.",
        aggregation="weighted_mean",
        denominator="huishoudens",
        aliases=(
            "P_EENP_HH",
            "percentage_eenpersoonshuishoudens",
            "percentageEenpersoonshuishoudens",
        ),
    ),
    Indicator(
        "gemiddelde_huishoudensgrootte",
        "Gemiddelde huishoudensgrootte",
        "Average household size",
        "Huishoudens",
        "personen",
        "Het aantal in particuliere huishoudens levende personen gedeeld door het aantal "
        "particuliere huishoudens.",
        "Persons living in private households divided by the number of private households.",
        decimals=1,
        aggregation="weighted_mean",
        denominator="huishoudens",
        aliases=(
            "GEM_HH_GR",
            "gemiddelde_huishoudsgrootte",
            "gemiddeldeHuishoudsgrootte",
            "GemiddeldeHuishoudensgrootte",
        ),
    ),
    Indicator(
        "bevolkingsdichtheid",
        "Bevolkingsdichtheid",
        "Population density",
        "Bevolking",
        "inwoners per km² land",
        "Het aantal inwoners per vierkante kilometer land op 1 januari.",
        "Inhabitants per square kilometre of land on 1 January.",
        aggregation="none",
        numerator="inwoners",
        denominator="oppervlakte_land",
        aliases=(
            "BEV_DICHTH",
            "bevolkingsdichtheid_inwoners_per_km2",
            "bevolkingsdichtheidInwonersPerKm2",
            "Bevolkingsdichtheid",
        ),
    ),
    Indicator(
        "woningvoorraad",
        "Woningvoorraad",
        "Housing stock",
        "Wonen",
        "aantal",
        "Aantal woningen op 1 januari.",
        "Number of dwellings on 1 January.",
        aliases=("WONINGEN", "woningvoorraad", "Woningvoorraad"),
    ),
    Indicator(
        "gemiddelde_woz_waarde",
        "Gemiddelde WOZ-waarde van woningen",
        "Average WOZ value of dwellings",
        "Wonen",
        "x 1.000 euro",
        "Gemiddelde WOZ-waarde van woningen (waarde-peildatum 1 januari van het voorgaande jaar).",
        "Average assessed (WOZ) value of dwellings.",
        aggregation="weighted_mean",
        denominator="woningvoorraad",
        higher_is_better=None,
        aliases=(
            "WOZ",
            "gemiddelde_woningwaarde",
            "gemiddeldeWoningwaarde",
            "GemiddeldeWoningwaarde",
            "GemiddeldeWOZWaardeVanWoningen",
        ),
    ),
    Indicator(
        "personenautos",
        "Personenauto's",
        "Passenger cars",
        "Verkeer",
        "aantal",
        "Aantal personenauto's op 1 januari.",
        "Number of passenger cars on 1 January.",
        aliases=("AUTO_TOT", "personenautos_totaal", "PersonenautoSTotaal"),
    ),
    Indicator(
        "personenautos_per_huishouden",
        "Personenauto's per huishouden",
        "Passenger cars per household",
        "Verkeer",
        "per huishouden",
        "Aantal personenauto's gedeeld door het aantal particuliere huishoudens.",
        "Passenger cars divided by the number of private households.",
        decimals=1,
        aggregation="none",
        numerator="personenautos",
        denominator="huishoudens",
        aliases=("AUTO_HH", "personenautos_per_huishouden", "PersonenautoSPerHuishouden"),
    ),
    Indicator(
        "bijstandsuitkeringen",
        "Bijstandsuitkeringen",
        "Social assistance benefits",
        "Sociale zekerheid",
        "aantal",
        "Aantal uitkeringen op grond van de Participatiewet (bijstand).",
        "Number of social assistance benefits (Participation Act).",
        higher_is_better=False,
        aliases=("WWB_UITTOT", "PersonenPerSoortUitkeringBijstand"),
    ),
    Indicator(
        "oppervlakte_totaal",
        "Oppervlakte totaal",
        "Total area",
        "Oppervlakte",
        "ha",
        "Totale oppervlakte in hectare (land en water).",
        "Total area in hectares.",
        aliases=(
            "OPP_TOT",
            "oppervlakte_totaal_in_ha",
            "oppervlakteTotaalInHa",
            "OppervlakteTotaal",
        ),
    ),
    Indicator(
        "oppervlakte_land",
        "Oppervlakte land",
        "Land area",
        "Oppervlakte",
        "ha",
        "Oppervlakte land in hectare.",
        "Land area in hectares.",
        aliases=("OPP_LAND", "oppervlakte_land_in_ha", "oppervlakteLandInHa", "OppervlakteLand"),
    ),
    Indicator(
        "oppervlakte_water",
        "Oppervlakte water",
        "Water area",
        "Oppervlakte",
        "ha",
        "Oppervlakte water in hectare.",
        "Water area in hectares.",
        aliases=(
            "OPP_WATER",
            "oppervlakte_water_in_ha",
            "oppervlakteWaterInHa",
            "OppervlakteWater",
        ),
    ),
    *_bag_catalogue(),
)

#: Every known indicator by id: the built-in :data:`CATALOGUE` plus what :func:`register` added.
BY_ID: Final[dict[str, Indicator]] = {ind.id: ind for ind in CATALOGUE}
#: Indicators added with :func:`register`, in registration order.
_REGISTERED: Final[list[Indicator]] = []

_SUFFIX_RE: Final = re.compile(r"_\d+$")


def normalise_column(name: str) -> str:
    """Lower case without separators and without StatLine's numeric suffix.

    >>> normalise_column("AantalInwoners_5"), normalise_column("AANT_INW")
    ('aantalinwoners', 'aantinw')
    """
    return re.sub(r"[^a-z0-9]", "", _SUFFIX_RE.sub("", name.strip()).lower())


_ALIAS_INDEX: Final[dict[str, str]] = {
    normalise_column(alias): ind.id for ind in CATALOGUE for alias in ind.aliases
}


def all_indicators() -> tuple[Indicator, ...]:
    """The whole catalogue: the built-in :data:`CATALOGUE`, then registered indicators.

    >>> all_indicators()[:len(CATALOGUE)] == CATALOGUE
    True
    """
    return CATALOGUE + tuple(_REGISTERED)


def register(indicators: Iterable[Indicator]) -> None:
    """Add indicators to the catalogue of this process (ids, aliases, the warehouse table).

    The extension point for indicators that are not built in: a municipality's own
    definitions, or the benchmark's synthetic ones. Call it before the ETL runs. All of
    ``indicators`` are checked first and then added together: a ``ValueError`` (an id that
    is already known or given twice, an alias whose normalised form already belongs to
    another indicator, an alias that normalises to nothing) adds none of them.

    >>> register([])  # nothing to add is fine
    """
    new = list(indicators)
    ids: set[str] = set()
    aliases: dict[str, str] = {}
    for ind in new:
        if not isinstance(ind, Indicator):
            raise TypeError(f"expected an Indicator, got {type(ind).__name__}: {ind!r}")
        if ind.id in BY_ID or ind.id in ids:
            raise ValueError(f"indicator id {ind.id!r} is already in the catalogue")
        ids.add(ind.id)
        for alias in ind.aliases:
            key = normalise_column(alias)
            if not key:
                raise ValueError(
                    f"alias {alias!r} of indicator {ind.id!r} has no letters or digits"
                )
            owner = _ALIAS_INDEX.get(key, aliases.get(key))
            if owner is not None and owner != ind.id:
                raise ValueError(
                    f"alias {alias!r} of indicator {ind.id!r} is already an alias of {owner!r}"
                )
            aliases[key] = ind.id
    _REGISTERED.extend(new)
    BY_ID.update((ind.id, ind) for ind in new)
    _ALIAS_INDEX.update(aliases)


def indicator_for_column(column: str) -> str | None:
    """The indicator id a source column holds, or ``None`` when it is not in the catalogue.

    Exact matches on the normalised name come first; a name of exactly 10 characters (a
    Shapefile/dBase field cut short) matches when exactly one alias starts with it.

    >>> indicator_for_column("AantalInwoners_5"), indicator_for_column("aantalInwo")
    ('inwoners', 'inwoners')
    >>> indicator_for_column("OAD") is None
    True
    """
    key = normalise_column(column)
    if key in _ALIAS_INDEX:
        return _ALIAS_INDEX[key]
    if len(column) == 10:
        hits = {ind for alias, ind in _ALIAS_INDEX.items() if alias.startswith(key)}
        if len(hits) == 1:
            return hits.pop()
    return None


def map_columns(columns: list[str]) -> dict[str, str]:
    """``{source column: indicator id}`` for the columns that hold catalogue indicators.

    When two columns map to the same indicator (rare: a file with both an old and a new
    name), the first one wins so that the result is deterministic.
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        ind = indicator_for_column(column)
        if ind is not None and ind not in taken:
            mapping[column] = ind
            taken.add(ind)
    return mapping
