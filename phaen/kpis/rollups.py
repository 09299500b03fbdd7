"""The rules that turn indicator values into progress, with no Django dependency.

Phaen keeps three kinds of progress apart (docs/architecture.md, "Monitoring"):

1. **KPI achievement** (this module): how far an actual value has moved from the baseline to
   the target, honouring the indicator's direction, clamped to 0-100 %.
2. **Implementation progress** of a plan element (`phaen.projects.progress`): the weighted mean of
   its children's and its projects' reported progress. It says how much work is done, not
   whether the results came.
3. **Value aggregation** (`combine` here, applied set-based by `phaen.kpis.aggregation`): one
   value for many areas or periods, by the indicator's rule.

Values are `Decimal`s; `None` means "not known" and is never treated as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)

# Status bands from achievement (percent of the way from baseline to target):
# on track from 90 %, at risk from 60 %, off track below; no data without an actual or target.
ON_TRACK_FROM = Decimal(90)
AT_RISK_FROM = Decimal(60)

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"

HIGHER = "higher"
LOWER = "lower"

SUM = "sum"
MEAN = "mean"
LATEST = "latest"
WEIGHTED = "weighted"


def achievement(
    actual: Decimal | None,
    target: Decimal | None,
    baseline: Decimal | None,
    direction: str = HIGHER,
) -> Decimal | None:
    """Return the percentage (0-100) of the way from `baseline` to `target` that `actual` went.

    Higher-is-better: (actual - baseline) / (target - baseline). Lower-is-better: (baseline -
    actual) / (baseline - target). Without a baseline the way starts at zero for higher-is-better
    (actual / target); for lower-is-better a missing baseline leaves only "reached or not".
    When the target equals the baseline, the target is met (100) or not (0). The result is
    clamped: overshooting counts as 100, moving the wrong way as 0. `None` when the actual or
    the target is unknown.
    """
    if actual is None or target is None:
        return None
    lower = direction == LOWER
    if baseline is None:
        if not lower:
            baseline = ZERO
        else:
            return HUNDRED if actual <= target else ZERO
    span = (baseline - target) if lower else (target - baseline)
    moved = (baseline - actual) if lower else (actual - baseline)
    if span <= 0:
        reached = actual <= target if lower else actual >= target
        return HUNDRED if reached else ZERO
    share = moved / span * HUNDRED
    return max(ZERO, min(HUNDRED, share)).quantize(Decimal("0.01"))


def band(achieved: Decimal | None) -> str:
    """Return the status band of an achievement percentage."""
    if achieved is None:
        return NO_DATA
    if achieved >= ON_TRACK_FROM:
        return ON_TRACK
    if achieved >= AT_RISK_FROM:
        return AT_RISK
    return OFF_TRACK


@dataclass(frozen=True, slots=True)
class Partial:
    """A partly aggregated value: the sum and count of values, and of numerators/denominators.

    Keeping sums instead of means lets partials combine again without losing weights, so a
    region's mean over its provinces' local administrations is the same whichever way it is
    grouped.
    """

    total: Decimal | None
    count: int
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @classmethod
    def of(
        cls,
        value: Decimal | None,
        numerator: Decimal | None = None,
        denominator: Decimal | None = None,
    ) -> Partial:
        return cls(value, 0 if value is None else 1, numerator, denominator)


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def merge(parts: Iterable[Partial]) -> Partial:
    """Add partials together (sums of values, counts, numerators and denominators)."""
    total: Decimal | None = None
    count = 0
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    for part in parts:
        total = _add(total, part.total)
        count += part.count
        numerator = _add(numerator, part.numerator)
        denominator = _add(denominator, part.denominator)
    return Partial(total, count, numerator, denominator)


def area_rule(rule: str, measure_type: str) -> str:
    """Return how values combine across areas for an indicator's aggregation rule.

    `latest` speaks of periods; across areas it sums counts and money, and averages percents,
    ratios and yes/no values.
    """
    if rule != LATEST:
        return rule
    return SUM if measure_type in ("number", "money") else MEAN


def value_of(part: Partial, rule: str, *, percent: bool = False) -> Decimal | None:
    """Return the value a partial stands for under `rule` (`sum`, `mean` or `weighted`).

    `weighted` is the sum of numerators over the sum of denominators (times 100 for percents);
    where no row carries a numerator and denominator it falls back to the mean.
    """
    if rule == WEIGHTED and part.numerator is not None and part.denominator:
        ratio = part.numerator / part.denominator
        return ratio * HUNDRED if percent else ratio
    if part.total is None or part.count == 0:
        return None
    if rule == SUM:
        return part.total
    return part.total / part.count


def combine(
    values: Iterable[Partial], rule: str, *, measure_type: str = "number"
) -> Decimal | None:
    """Combine the values of several areas into one by the indicator's rule."""
    rule = area_rule(rule, measure_type)
    return value_of(merge(values), rule, percent=measure_type == "percent")


def combine_periods(
    by_quarter: dict[int, Partial], rule: str, *, cumulative: bool, measure_type: str = "number"
) -> Partial | None:
    """Return one fiscal year's partial from its quarters' (quarter 0 is the whole year).

    A whole-year row wins. Otherwise: `latest`, and any cumulative indicator (whose quarters
    are running totals), take the last quarter reported; `sum` adds the quarters; `mean` and
    `weighted` merge them.
    """
    if 0 in by_quarter:
        return by_quarter[0]
    quarters = sorted(q for q in by_quarter if by_quarter[q].count or by_quarter[q].numerator)
    if not quarters:
        return None
    if rule == LATEST or cumulative:
        return by_quarter[quarters[-1]]
    if rule == SUM:
        return merge(by_quarter[q] for q in quarters)
    # mean and weighted: the year's value is the mean (or pooled ratio) of its quarters.
    return merge(by_quarter[q] for q in quarters)
