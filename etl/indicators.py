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
"""

from __future__ import annotations

import re
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
)

BY_ID: Final[dict[str, Indicator]] = {ind.id: ind for ind in CATALOGUE}

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
