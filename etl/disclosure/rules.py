# SPDX-License-Identifier: EUPL-1.2
"""Disclosure rules: which protection applies to which indicator, from catalogue and file.

Every indicator has exactly one rule. The catalogue (:data:`etl.indicators.CATALOGUE`) names
the rule kind in ``Indicator.disclosure_rule``; a municipality overrides kinds, thresholds,
rounding and the words used in the reasons per indicator in ONE file (TOML or YAML, see
``config/disclosure.example.toml``), and declares its category breakdowns there.

Rule kinds:

``cbs``
    The figure arrives protected by CBS. It is published exactly as CBS published it: cells
    CBS made secret stay secret, nothing is added, and our thresholds do not apply (CBS
    publishes a rounded count of 5, or even 0 and 5, for a buurt; that is CBS's decision).
``count``
    A count of persons, households or registrations. A count below ``threshold`` (default 5)
    is hidden; zero is shown unless ``show_zero = false``. Counts add up over the area
    hierarchy, over periods (months within a year) and over declared breakdowns; secondary
    suppression and the audit work on these sums. Optional rounding to a base.
``ratio``
    A percentage or a rate ``numerator / denominator``. Hidden when the numerator is below
    ``numerator_threshold`` or the denominator below ``denominator_threshold``, and whenever
    the numerator or the denominator is hidden (a shown percentage and a shown denominator
    would give the hidden count back).
``mean``
    An average over ``denominator`` units (dwellings, persons). Hidden when there are fewer
    than ``denominator_threshold`` units.
``none``
    Not about persons (land area, a count of street lights): published as it is.

>>> rules = DisclosureRules.from_mapping({"indicators": {"meldingen": {"rule": "count"}}})
>>> rules.rule_for("meldingen").threshold, rules.rule_for("inwoners").kind
(5, 'cbs')
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal, get_args

import pandas as pd
import yaml

from etl.disclosure.errors import DisclosureRulesError
from etl.indicators import Indicator, all_indicators
from etl.model import LEVELS, Level

RuleKind = Literal["cbs", "count", "ratio", "mean", "none"]
RoundingMethod = Literal["conventional", "random"]

RULE_KINDS: Final[tuple[str, ...]] = get_args(RuleKind)
ROUNDING_METHODS: Final[tuple[str, ...]] = get_args(RoundingMethod)
#: Rule kinds whose cells take part in sums (hierarchy, periods, breakdowns).
ADDITIVE_KINDS: Final = frozenset({"count"})

_TOP_KEYS: Final = frozenset({"defaults", "audit", "indicators", "breakdowns"})
_DEFAULT_KEYS: Final = frozenset(
    {
        "threshold",
        "show_zero",
        "ratio_numerator_threshold",
        "ratio_denominator_threshold",
        "mean_denominator_threshold",
        "rounding_base",
        "rounding_method",
        "rounding_levels",
    }
)
_AUDIT_KEYS: Final = frozenset({"secondary_min_width", "max_repair_rounds", "period_hierarchy"})
_INDICATOR_KEYS: Final = frozenset(
    {
        "rule",
        "threshold",
        "show_zero",
        "numerator",
        "denominator",
        "numerator_threshold",
        "denominator_threshold",
        "rounding_base",
        "rounding_method",
        "rounding_levels",
        "required_width",
        "noun_nl",
        "noun_en",
    }
)
_BREAKDOWN_KEYS: Final = frozenset({"total", "members"})


@dataclass(frozen=True)
class Rounding:
    """Rounding of published counts to a multiple of ``base``.

    ``conventional``: to the nearest multiple, halves upwards (7 -> 5, 8 -> 10). The same
    count always gives the same published number, so a rerun publishes the same figures.
    ``random``: unbiased random rounding (7 goes to 5 with probability 3/5, to 10 with 2/5),
    with the random draw fixed per cell by a hash of (indicator, vintage, period, area): also
    reproducible, unbiased on average, but a published number can be up to ``base - 1`` off.
    """

    base: int
    method: RoundingMethod = "conventional"
    levels: tuple[Level, ...] = LEVELS

    def slack(self) -> tuple[int, int]:
        """How far below and above a published multiple the integer count can lie.

        >>> Rounding(5).slack(), Rounding(10).slack(), Rounding(5, "random").slack()
        ((2, 2), (5, 4), (4, 4))
        """
        if self.method == "random":
            return self.base - 1, self.base - 1
        # Halves go up: r - base/2 rounds to r, r + base/2 to r + base.
        below = self.base // 2
        above = (self.base - 1) // 2
        return below, above


@dataclass(frozen=True)
class IndicatorRule:
    """The protection of one indicator. Built by :func:`load_rules`; see the module doc.

    ``required_width`` is what the audit demands for a hidden count: the range of values an
    outsider can still deduce from everything published must be at least this wide. A count
    hidden as "fewer than 5" can be 0, 1, 2, 3 or 4 (width 4: zero is shown as a rule, but a
    zero may be hidden with the same, true, reason to protect a neighbouring cell). The
    default (``None``) is half of that width, rounded up (2 for threshold 5: at least three
    values stay possible, e.g. 1..3). Demanding the full range is not attainable in general:
    a cell hidden as "not small" (at least 5) split into two cells "fewer than 5" tells an
    outsider that each is at least 1, whatever else is hidden. ``threshold - 1`` demands the
    full range; 1 only forbids exact disclosure.
    """

    indicator_id: str
    kind: RuleKind
    threshold: int = 5
    show_zero: bool = True
    numerator: str | None = None
    denominator: str | None = None
    numerator_threshold: int = 5
    denominator_threshold: int = 5
    rounding: Rounding | None = None
    required_width: int | None = None
    noun_nl: str = ""
    noun_en: str = ""
    origin: str = "catalogue"

    @property
    def full_width(self) -> int:
        """Width of ``[0, threshold - 1]``, the range the reason "fewer than t" admits."""
        return max(self.threshold - 1, 0)

    @property
    def effective_required_width(self) -> int:
        """The audit's requirement for a hidden small count of this indicator.

        >>> IndicatorRule("m", "count").effective_required_width
        2
        """
        if self.required_width is None:
            wanted = max(-(-self.full_width // 2), 1)  # half the range, rounded up
        else:
            wanted = self.required_width
        return min(wanted, self.full_width)

    def hides(self, value: float) -> bool:
        """Whether a count of ``value`` is hidden by this rule (primary suppression).

        >>> rule = IndicatorRule("meldingen", "count")
        >>> [rule.hides(v) for v in (0, 1, 4, 5)]
        [False, True, True, False]
        """
        return value < self.threshold and (value != 0 or not self.show_zero)


@dataclass(frozen=True)
class Breakdown:
    """A category breakdown: the member indicators add up to the total indicator.

    Declared in the rules file as::

        [breakdowns.meldingen_per_categorie]
        total = "meldingen"
        members = ["meldingen_afval", "meldingen_verlichting", "meldingen_overig"]

    The members need not cover the total exactly (a melding without a category, or one in two
    categories): the audit assumes an outsider knows the difference, which is the cautious
    assumption.
    """

    name: str
    total: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class DisclosureRules:
    """All rules of one run: per indicator, the breakdowns, and the audit settings.

    ``secondary_min_width``: a cell hidden to protect another one must not be derivable to
    less than this width either (1 = not exactly). ``period_hierarchy``: periods ``YYYY``,
    ``YYYY-Qn`` and ``YYYY-MM`` of one count add up (a year is the sum of its months).
    """

    indicators: Mapping[str, IndicatorRule]
    breakdowns: tuple[Breakdown, ...] = ()
    secondary_min_width: int = 1
    max_repair_rounds: int = 25
    period_hierarchy: bool = True
    source: str = "defaults"

    def rule_for(self, indicator_id: str) -> IndicatorRule:
        """The rule of ``indicator_id``; :class:`DisclosureRulesError` when there is none."""
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise DisclosureRulesError(
                f"{self.source}: no disclosure rule for indicator {indicator_id!r}; add it to "
                "the catalogue or to [indicators] in the disclosure rules file"
            ) from None

    @property
    def fingerprint(self) -> str:
        """A digest of every rule: part of the run's input fingerprint (a rule change rebuilds)."""
        indicators: dict[str, dict[str, Any]] = {}
        for k, v in sorted(self.indicators.items()):
            indicators[k] = asdict(v)
            indicators[k].pop("origin")  # where a rule was written does not change it
        payload = {
            "indicators": indicators,
            "breakdowns": [asdict(b) for b in self.breakdowns],
            "audit": [self.secondary_min_width, self.max_repair_rounds, self.period_hierarchy],
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def table(self) -> pd.DataFrame:
        """The rules table, one row per indicator (for the documentation and the run log).

        >>> DisclosureRules.from_mapping({}).table().loc["inwoners", "rule"]
        'cbs'
        """
        rows = []
        for ind_id, r in sorted(self.indicators.items()):
            rows.append(
                {
                    "indicator": ind_id,
                    "rule": r.kind,
                    "threshold": r.threshold if r.kind == "count" else None,
                    "show_zero": r.show_zero if r.kind == "count" else None,
                    "numerator": r.numerator if r.kind == "ratio" else None,
                    "numerator_threshold": r.numerator_threshold if r.kind == "ratio" else None,
                    "denominator": r.denominator if r.kind in ("ratio", "mean") else None,
                    "denominator_threshold": (
                        r.denominator_threshold if r.kind in ("ratio", "mean") else None
                    ),
                    "rounding": (
                        f"{r.rounding.method} base {r.rounding.base}"
                        if r.rounding and r.kind == "count"
                        else None
                    ),
                    "required_width": r.effective_required_width if r.kind == "count" else None,
                    "origin": r.origin,
                }
            )
        return pd.DataFrame(rows, dtype=object).set_index("indicator")

    @classmethod
    def from_mapping(
        cls,
        raw: Mapping[str, Any],
        *,
        where: str = "disclosure rules",
        catalogue: Iterable[Indicator] | None = None,
    ) -> DisclosureRules:
        """Build rules from a parsed rules file (a mapping); see :func:`load_rules`.

        ``catalogue`` defaults to :func:`etl.indicators.all_indicators` (built-in plus
        registered indicators, read at call time).
        """
        return _build(raw, where, tuple(all_indicators() if catalogue is None else catalogue))


def load_rules(
    path: Path | None,
    *,
    catalogue: Iterable[Indicator] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> DisclosureRules:
    """The disclosure rules of a run: catalogue defaults, overridden by the file at ``path``.

    ``path`` is a TOML or YAML file (``config/disclosure.example.toml`` explains every key);
    ``None`` gives the catalogue defaults. ``extra`` is a mapping in the same format that
    sources contribute (e.g. ``etl.sources.registrations.disclosure_mapping``: the nouns of
    the reasons and the category breakdowns); the file overrides it key by key. ``catalogue``
    defaults to :func:`etl.indicators.all_indicators`. Errors name the file and the key and
    raise :class:`DisclosureRulesError`.

    >>> load_rules(None).rule_for("inwoners").kind
    'cbs'
    """
    indicators = tuple(all_indicators() if catalogue is None else catalogue)
    raw: dict[str, Any] = {}
    where = "catalogue defaults"
    if path is not None:
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
            loaded = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as e:
            raise DisclosureRulesError(f"{where}: cannot read the disclosure rules: {e}") from e
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise DisclosureRulesError(f"{where}: expected a table/mapping at the top level")
        raw = loaded
    if extra:
        raw = merge_mappings(extra, raw)
    return _build(raw, where, indicators)


def merge_mappings(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Two rules mappings in one: tables merge key by key, ``override`` wins.

    >>> merge_mappings({"indicators": {"m": {"rule": "count", "noun_nl": "meldingen"}}},
    ...                {"indicators": {"m": {"threshold": 10}}})
    {'indicators': {'m': {'rule': 'count', 'noun_nl': 'meldingen', 'threshold': 10}}}
    """
    out: dict[str, Any] = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_mappings(out[key], value)
        else:
            out[key] = value
    return out


# --- building and checking ------------------------------------------------------------


@dataclass
class _Defaults:
    threshold: int = 5
    show_zero: bool = True
    ratio_numerator_threshold: int = 5
    ratio_denominator_threshold: int = 5
    mean_denominator_threshold: int = 20
    rounding_base: int = 0
    rounding_method: str = "conventional"
    rounding_levels: list[str] = field(default_factory=lambda: list(LEVELS))


def _build(raw: Mapping[str, Any], where: str, catalogue: tuple[Indicator, ...]) -> DisclosureRules:
    _no_unknown(raw, _TOP_KEYS, where)
    defaults = _Defaults()
    raw_defaults = _table(raw, "defaults", where)
    _no_unknown(raw_defaults, _DEFAULT_KEYS, f"{where} [defaults]")
    for key, value in raw_defaults.items():
        setattr(defaults, key, value)
    _check_defaults(defaults, f"{where} [defaults]")

    audit = _table(raw, "audit", where)
    _no_unknown(audit, _AUDIT_KEYS, f"{where} [audit]")
    secondary_min_width = _int(audit, "secondary_min_width", 1, f"{where} [audit]", minimum=0)
    max_repair_rounds = _int(audit, "max_repair_rounds", 25, f"{where} [audit]", minimum=0)
    period_hierarchy = _bool(audit, "period_hierarchy", True, f"{where} [audit]")

    rules: dict[str, IndicatorRule] = {}
    known = {ind.id: ind for ind in catalogue}
    for ind in catalogue:
        rules[ind.id] = _catalogue_rule(ind, defaults, where)
    overrides = _table(raw, "indicators", where)
    for ind_id, entry in overrides.items():
        key = f"{where} [indicators.{ind_id}]"
        if not isinstance(entry, dict):
            raise DisclosureRulesError(f"{key}: expected a table/mapping")
        _no_unknown(entry, _INDICATOR_KEYS, key)
        base = rules.get(ind_id)
        if base is None and "rule" not in entry:
            raise DisclosureRulesError(
                f"{key}: {ind_id!r} is not in the catalogue, so 'rule' is required"
            )
        rules[ind_id] = _override(ind_id, base, known.get(ind_id), entry, defaults, where, key)

    breakdowns = []
    for name, entry in _table(raw, "breakdowns", where).items():
        breakdowns.append(_breakdown(name, entry, f"{where} [breakdowns.{name}]"))
    result = DisclosureRules(
        indicators=rules,
        breakdowns=tuple(breakdowns),
        secondary_min_width=secondary_min_width,
        max_repair_rounds=max_repair_rounds,
        period_hierarchy=period_hierarchy,
        source=where,
    )
    _check_references(result, where)
    return result


def _catalogue_rule(ind: Indicator, d: _Defaults, where: str) -> IndicatorRule:
    kind = ind.disclosure_rule
    if kind not in RULE_KINDS:
        raise DisclosureRulesError(
            f"catalogue indicator {ind.id!r}: unknown disclosure_rule {kind!r}, "
            f"expected one of {list(RULE_KINDS)}"
        )
    return _make_rule(
        ind.id,
        kind,  # type: ignore[arg-type]
        {"numerator": ind.numerator, "denominator": ind.denominator},
        d,
        noun_nl=ind.label_nl.lower(),
        noun_en=ind.label_en.lower(),
        origin="catalogue",
        where=where,
    )


def _override(
    ind_id: str,
    base: IndicatorRule | None,
    indicator: Indicator | None,
    entry: Mapping[str, Any],
    d: _Defaults,
    where: str,
    key: str,
) -> IndicatorRule:
    kind = entry.get("rule", base.kind if base else None)
    if kind not in RULE_KINDS:
        raise DisclosureRulesError(f"{key}.rule: expected one of {list(RULE_KINDS)}, got {kind!r}")
    given = dict(entry)
    if indicator is not None:  # the catalogue's numerator and denominator, unless overridden
        given.setdefault("numerator", indicator.numerator)
        given.setdefault("denominator", indicator.denominator)
    noun_nl = str(entry.get("noun_nl") or (base.noun_nl if base else ind_id.replace("_", " ")))
    noun_en = str(entry.get("noun_en") or (base.noun_en if base else ind_id.replace("_", " ")))
    return _make_rule(
        ind_id, kind, given, d, noun_nl=noun_nl, noun_en=noun_en, origin=where, where=key
    )


def _make_rule(
    ind_id: str,
    kind: RuleKind,
    given: Mapping[str, Any],
    d: _Defaults,
    *,
    noun_nl: str,
    noun_en: str,
    origin: str,
    where: str,
) -> IndicatorRule:
    threshold = _int(given, "threshold", d.threshold, where, minimum=1)
    show_zero = _bool(given, "show_zero", d.show_zero, where)
    num_t = _int(given, "numerator_threshold", d.ratio_numerator_threshold, where, minimum=1)
    den_default = d.mean_denominator_threshold if kind == "mean" else d.ratio_denominator_threshold
    den_t = _int(given, "denominator_threshold", den_default, where, minimum=1)
    base = _int(given, "rounding_base", d.rounding_base, where, minimum=0)
    method = given.get("rounding_method", d.rounding_method)
    if method not in ROUNDING_METHODS:
        raise DisclosureRulesError(
            f"{where}.rounding_method: expected one of {list(ROUNDING_METHODS)}, got {method!r}"
        )
    levels = given.get("rounding_levels", d.rounding_levels)
    if not isinstance(levels, list) or not set(levels) <= set(LEVELS) or not levels:
        raise DisclosureRulesError(
            f"{where}.rounding_levels: expected a non-empty list of {list(LEVELS)}, got {levels!r}"
        )
    if base == 1:
        raise DisclosureRulesError(f"{where}.rounding_base: 1 means no rounding; use 0")
    rounding = Rounding(base, method, tuple(lv for lv in LEVELS if lv in levels)) if base else None
    required = given.get("required_width")
    if required is not None and (
        not isinstance(required, int) or isinstance(required, bool) or required < 0
    ):
        raise DisclosureRulesError(
            f"{where}.required_width: expected a whole number >= 0, got {required!r}"
        )
    numerator = given.get("numerator")
    denominator = given.get("denominator")
    for attr, value in (("numerator", numerator), ("denominator", denominator)):
        if value is not None and not isinstance(value, str):
            raise DisclosureRulesError(f"{where}.{attr}: expected an indicator id, got {value!r}")
    if kind in ("ratio", "mean") and denominator is None:
        raise DisclosureRulesError(f"{where}: rule {kind!r} needs a 'denominator' indicator")
    return IndicatorRule(
        indicator_id=ind_id,
        kind=kind,
        threshold=threshold,
        show_zero=show_zero,
        numerator=numerator if kind == "ratio" else None,
        denominator=denominator if kind in ("ratio", "mean") else None,
        numerator_threshold=num_t,
        denominator_threshold=den_t,
        rounding=rounding if kind == "count" else None,
        required_width=required,
        noun_nl=noun_nl,
        noun_en=noun_en,
        origin=origin,
    )


def _breakdown(name: str, entry: Any, key: str) -> Breakdown:
    if not isinstance(entry, dict):
        raise DisclosureRulesError(f"{key}: expected a table/mapping")
    _no_unknown(entry, _BREAKDOWN_KEYS, key)
    total = entry.get("total")
    members = entry.get("members")
    if not isinstance(total, str):
        raise DisclosureRulesError(f"{key}.total: expected an indicator id, got {total!r}")
    if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
        raise DisclosureRulesError(
            f"{key}.members: expected a non-empty list of indicator ids, got {members!r}"
        )
    if len(set(members)) != len(members) or total in members:
        raise DisclosureRulesError(
            f"{key}.members: members must be distinct and differ from the total"
        )
    return Breakdown(name, total, tuple(members))


def _check_references(rules: DisclosureRules, where: str) -> None:
    for r in rules.indicators.values():
        for attr in ("numerator", "denominator"):
            ref = getattr(r, attr)
            if ref is None:
                continue
            target = rules.indicators.get(ref)
            if target is None:
                raise DisclosureRulesError(
                    f"{where}: indicator {r.indicator_id!r} has {attr} {ref!r}, which has no "
                    "rule; add it to [indicators]"
                )
            if r.kind in ("ratio", "mean") and target.kind in ("ratio", "mean"):
                raise DisclosureRulesError(
                    f"{where}: indicator {r.indicator_id!r} ({r.kind}) has {attr} {ref!r}, "
                    f"itself a {target.kind}; the {attr} must be a count (rule count, cbs or "
                    "none)"
                )
    for b in rules.breakdowns:
        for ref in (b.total, *b.members):
            target = rules.indicators.get(ref)
            if target is None or target.kind not in ADDITIVE_KINDS:
                got = "no rule" if target is None else f"rule {target.kind!r}"
                raise DisclosureRulesError(
                    f"{where} [breakdowns.{b.name}]: {ref!r} has {got}; the total and the "
                    "members of a breakdown must have rule 'count'"
                )


def _check_defaults(d: _Defaults, where: str) -> None:
    for name in (
        "threshold",
        "ratio_numerator_threshold",
        "ratio_denominator_threshold",
        "mean_denominator_threshold",
    ):
        _int({name: getattr(d, name)}, name, 0, where, minimum=1)
    _int({"rounding_base": d.rounding_base}, "rounding_base", 0, where, minimum=0)
    _bool({"show_zero": d.show_zero}, "show_zero", True, where)


def _table(raw: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise DisclosureRulesError(f"{where}: [{key}] must be a table/mapping")
    return value


def _no_unknown(entry: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise DisclosureRulesError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
        )


def _int(entry: Mapping[str, Any], key: str, default: int, where: str, *, minimum: int) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise DisclosureRulesError(
            f"{where}.{key}: expected a whole number >= {minimum}, got {value!r}"
        )
    return value


def _bool(entry: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise DisclosureRulesError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def with_rule(rules: DisclosureRules, rule: IndicatorRule) -> DisclosureRules:
    """A copy of ``rules`` with one indicator's rule replaced (handy in tests and benchmarks)."""
    return replace(rules, indicators={**rules.indicators, rule.indicator_id: rule})
