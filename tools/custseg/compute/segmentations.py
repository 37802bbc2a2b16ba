"""Lifecycle, value, health and behavioral segmentations: each MECE by construction.

Each function returns a :class:`Labels`: one key per customer, the ordered keys, and
the definition exactly as the facts state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custseg.compute.metrics import Metrics, days_words


@dataclass
class Labels:
    kind: str
    keys: list[str]  # best or earliest first
    names: dict[str, str]
    index: np.ndarray  # per customer: position of its segment in ``keys``
    method: str
    method_reason: str
    definition: dict
    extra: dict = field(default_factory=dict)  # per-customer numbers to export (e.g. health score)

    @property
    def label(self) -> np.ndarray:
        """Segment key per customer (for output; computations use ``index``)."""
        return np.array(self.keys, dtype=object)[self.index]


def _pick(keys: list[str], conditions: list[tuple[str, np.ndarray]], default: str, n: int) -> np.ndarray:
    """Position in ``keys`` per customer: the first condition that holds wins, ``default`` for the rest."""
    out = np.full(n, keys.index(default), dtype=np.int16)
    free = np.ones(n, dtype=bool)
    for key, cond in conditions:
        hit = free & cond
        out[hit] = keys.index(key)
        free &= ~hit
    return out


# -- lifecycle ------------------------------------------------------------------------

LIFECYCLE_BANDS = (("onboarding", 0, 30), ("adopting", 31, 90), ("established", 91, 365), ("mature", 366, None))
# Subscription billing cycles a customer's payments are snapped to, and the days after a
# missed renewal before a subscriber counts as lapsed (processors retry a declined renewal
# for up to about a month).
BILLING_CYCLES = ((7, "weekly"), (14, "every two weeks"), (30, "monthly"), (91, "quarterly"), (182, "half-yearly"), (365, "annual"))
RENEWAL_GRACE_DAYS = 30
MIN_CYCLE_GAP_DAYS = 5  # closer payments are proration or a retry within one cycle, not a cycle


def billing_cycles(code: np.ndarray, day: np.ndarray, size: int) -> np.ndarray:
    """Per customer code (``size`` of them): the billing cycle in days of the subscription
    payments given (one per ``code``/``day``), 0 where it cannot be told (one payment, or
    only payments days apart). The median gap between payment days, snapped to the nearest
    of BILLING_CYCLES. One gap shorter than a month is a plan change as often as a cycle:
    weekly and fortnightly cycles need two gaps."""
    out = np.zeros(size, dtype=np.int64)
    if len(code) < 2:
        return out
    order = np.lexsort((day, code))
    c, d = code[order], day[order]
    same = c[1:] == c[:-1]
    gaps = np.diff(d)
    keep = same & (gaps >= MIN_CYCLE_GAP_DAYS)
    if not keep.any():
        return out
    who, gap = c[1:][keep], gaps[keep].astype(float)
    # the median gap per customer: sort by (customer, gap) and take the middle of each run
    by = np.lexsort((gap, who))
    who, gap = who[by], gap[by]
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    counts = np.diff(np.r_[starts, len(who)])
    median = (gap[starts + (counts - 1) // 2] + gap[starts + counts // 2]) / 2
    cycles = np.array([c for c, _ in BILLING_CYCLES], dtype=float)
    nearest = cycles[np.abs(np.log(median[:, None] / cycles[None, :])).argmin(axis=1)].astype(np.int64)
    sure = (counts >= 2) | (nearest >= 30)
    out[who[starts][sure]] = nearest[sure]
    return out


def lifecycle(tenure: np.ndarray, recency: np.ndarray, lapsed_from: int, activity: str, status: "AccountStatus | None" = None, cycle: np.ndarray | None = None) -> Labels:
    """Seed 002's tenure stages, with lapsed customers (``lapsed_from`` or more days since
    the last ``activity``) set apart first. With an account ``status`` (a CRM's), accounts it
    says ended are Churned, and accounts it says are live are never Lapsed: a subscriber
    billed yearly, or one whose orders column counts add-ons, has no recent order to show.
    With ``cycle`` (per customer, a subscription's billing cycle in days, 0 unknown), a
    subscriber lapses RENEWAL_GRACE_DAYS after a missed renewal instead: a monthly one who has
    not paid for two months is gone, an annual one who paid eight months ago is not."""
    n = len(tenure)
    known_cycle = cycle is not None and bool((cycle > 0).any())
    gone = recency >= (np.where(cycle > 0, cycle + RENEWAL_GRACE_DAYS, lapsed_from) if known_cycle else lapsed_from)
    conds = []
    if status is not None:
        conds.append(("churned", status.ended))
        gone = gone & ~status.live
    conds.append(("lapsed", gone))
    for key, low, high in LIFECYCLE_BANDS:
        conds.append((key, (tenure >= low) & ((tenure <= high) if high is not None else True)))
    keys = [k for k, _, _ in LIFECYCLE_BANDS] + ["lapsed"] + (["churned"] if status is not None else [])
    index = _pick(keys, conds, "mature", n)
    names = {"onboarding": "Onboarding", "adopting": "Adopting", "established": "Established", "mature": "Mature", "lapsed": "Lapsed", "churned": "Churned"}
    definition = {
        "lapsed": f"{lapsed_from}+ days since the last {activity} (checked first)",
        "tenure_bands_days": [{"key": k, "min": lo, "max": hi} for k, lo, hi in LIFECYCLE_BANDS],
        "tenure": f"days from the first {activity} to the as-of date",
    }
    reason = f"tenure since the first {activity}, lapsed from {lapsed_from} days without one"
    if status is not None and status.ended_by:
        definition["churned"] = f"users whose {status.ended_by} (checked first)"
        definition["lapsed"] = f"{lapsed_from}+ days since the last {activity} (checked next)"
        reason += f"; users whose {status.ended_by} are Churned"
    elif status is not None:
        definition["churned"] = f"the {status.column} column says the account ended ({status.listing(status.ended_values)}) (checked first)"
        definition["lapsed"] = f"{lapsed_from}+ days since the last {activity}, unless the {status.column} column says the account is live ({status.listing(status.live_values)}) (checked next)"
        reason += f"; accounts whose {status.column} says they ended are Churned, and live accounts are never Lapsed"
    if known_cycle:
        listed = ", ".join(f"{name} {c + RENEWAL_GRACE_DAYS}" for c, name in BILLING_CYCLES if (cycle == c).any())
        definition["lapsed"] += (
            f"; a subscriber whose billing cycle is known (the plan's name says it, or their subscription payments show it) lapses {RENEWAL_GRACE_DAYS} days after a missed renewal instead "
            f"(days since the last {activity}: {listed})"
        )
        definition["billing_cycles"] = {name: int((cycle == c).sum()) for c, name in BILLING_CYCLES if (cycle == c).any()}
        lapsed_now = index == keys.index("lapsed")
        definition["lapsed_subscribers"] = int((lapsed_now & (cycle > 0)).sum())  # missed a renewal by the grace period: churned
        definition["lapsed_by_cycle"] = {name: int((lapsed_now & (cycle == c)).sum()) for c, name in BILLING_CYCLES if (cycle == c).any()}
        reason += f"; subscribers lapse {RENEWAL_GRACE_DAYS} days after a missed renewal of their billing cycle"
        # customers.csv's billing_cycle: a plan a CRM file can filter on (empty for one-off buyers)
        lookup = np.full(max(c for c, _ in BILLING_CYCLES) + 1, -1, dtype=np.int8)
        for i, (c, _) in enumerate(BILLING_CYCLES):
            lookup[c] = i
        extra = {"billing_cycle": pd.Categorical.from_codes(lookup[np.clip(cycle, 0, len(lookup) - 1)], [name for _, name in BILLING_CYCLES])}
        return Labels("lifecycle", keys, names, index, "tenure_bands", reason, definition, extra)
    return Labels("lifecycle", keys, names, index, "tenure_bands", reason, definition)


@dataclass
class AccountStatus:
    """What a CRM's status column says of each account: ended (churned, cancelled...) or live
    (active, trialing...); neither for statuses it does not recognise. An event log's says
    which users' last subscription event had ended their account (``ended_by`` says how)."""

    column: str
    ended: np.ndarray
    live: np.ndarray
    ended_values: list[str]
    live_values: list[str]
    ended_by: str = ""  # not a status column: what ended an account ("their last ... event ended it")

    @staticmethod
    def listing(values: list[str]) -> str:
        return ", ".join(values) if values else "none in this data"


# -- value -------------------------------------------------------------------------------

ARR_TIERS = (("enterprise", 50_000, None), ("mid_market", 10_000, 50_000), ("smb", 1_000, 10_000), ("self_serve", 0, 1_000))
ARR_NAMES = {"enterprise": "Enterprise", "mid_market": "Mid-market", "smb": "SMB", "self_serve": "Self-serve"}
MIN_TIER_SHARE = 0.05


TOP_TIER_SHARE, NEXT_TIER_SHARE = 0.2, 0.3  # spend tiers: the top 20%, the next 30%, the rest


def value_tiers(annual_value: np.ndarray, spend: np.ndarray, subscription: bool, days_covered: int | None = None) -> Labels:
    """Seed 002's ARR tiers when the base spans them; spend tiers by quantile otherwise.
    ``annual_value`` is a year's revenue only when the data covers a year (``days_covered``)."""
    n = len(spend)
    short = subscription and days_covered is not None and days_covered < 365
    if subscription and not short:
        keys = [k for k, _, _ in ARR_TIERS]
        tier = _pick(keys, [(k, annual_value >= lo) for k, lo, _ in ARR_TIERS[:-1]], "self_serve", n)
        shares = {k: float(np.mean(tier == i)) for i, k in enumerate(keys)}
        spanned = [k for k, s in shares.items() if s >= MIN_TIER_SHARE]
        if len(spanned) >= 2:
            definition = {"basis": "annual recurring revenue (ARR) per customer", "tiers": [{"key": k, "min": lo, "max": hi} for k, lo, hi in ARR_TIERS]}
            reason = f"the base spans {len(spanned)} of the four ARR tiers (each holding at least {MIN_TIER_SHARE:.0%} of customers)"
            return Labels("value", keys, ARR_NAMES, tier, "arr_tiers", reason, definition)
    # Spend tiers: the top 20% by spend, the next 30%, the rest; ties share a tier. The share
    # each tier is cut to hold is a fact too: a plan may say 'the top 20%' by citing it.
    cuts = np.quantile(spend, [1 - TOP_TIER_SHARE - NEXT_TIER_SHARE, 1 - TOP_TIER_SHARE], method="lower") if n else np.array([0.0, 0.0])
    if n and cuts[1] >= spend.max() and (spend < spend.max()).any():
        # A tie at the top cut would leave the top tier empty (nobody spends above the most
        # anyone spent): cuts on the top spend come down to the next spend below it, as RFM's
        # quintiles do (scoring._lift_top_tie), so the top spenders are the top tier.
        cuts = np.where(cuts >= spend.max(), spend[spend < spend.max()].max(), cuts)
    index = _pick(["high", "medium", "low"], [("high", spend > cuts[1]), ("medium", spend > cuts[0])], "low", n)
    definition = {
        "basis": "total spend per customer",
        "tiers": [
            {"key": "high", "above": float(cuts[1]), "cut_share": TOP_TIER_SHARE},
            {"key": "medium", "above": float(cuts[0]), "at_most": float(cuts[1]), "cut_share": NEXT_TIER_SHARE},
            {"key": "low", "at_most": float(cuts[0]), "cut_share": round(1 - TOP_TIER_SHARE - NEXT_TIER_SHARE, 6)},
        ],
    }
    if short:
        reason = f"the payments cover {days_words(days_covered)}, less than a year, so annual recurring revenue is not known: tiers follow spend quantiles: the top 20%, the next 30%, the rest"
    elif subscription:
        reason = "customers do not span the ARR tiers, so tiers follow spend quantiles: the top 20%, the next 30%, the rest"
    else:
        reason = "tiers follow spend quantiles: the top 20%, the next 30%, the rest (ARR tiers suit subscriptions)"
    reason += _tied_shares(index, n, spend, cuts)
    return Labels("value", ["high", "medium", "low"], {"high": "High Value", "medium": "Medium Value", "low": "Low Value"}, index, "spend_quantiles", reason, definition)


TIE_SHARE_GAP = 0.02  # a tier this far from its cut share says so: ties at a cut moved customers


def _tied_shares(index: np.ndarray, n: int, spend: np.ndarray, cuts: np.ndarray) -> str:
    """When the tiers are far from 20/30/50, the shares they do hold, so 'the top 20%' is not
    read as fact, and why: ties at a cut (many customers spent the same: one price, one order
    each) only when customers do share a cut's amount; else too few customers to cut finely."""
    if not n:
        return ""
    high, medium = float(np.mean(index == 0)), float(np.mean(index == 1))
    if abs(high - TOP_TIER_SHARE) <= TIE_SHARE_GAP and abs(medium - NEXT_TIER_SHARE) <= TIE_SHARE_GAP:
        return ""
    held = f"the tiers hold {high:.1%}, {medium:.1%} and {1 - high - medium:.1%} of customers"
    if spend.min() == spend.max():
        return f"; every customer spent the same amount, so spend does not separate them: {held}"
    if any(int((spend == c).sum()) > 1 for c in np.unique(cuts)):
        return f"; many customers spent the same amount, and ties stay in one tier, so {held}"
    both = "; both cuts fall on one customer's spend" if cuts[0] == cuts[1] else ""
    return f"; with only {n:,} customers the tiers cannot hold 20% and 30% exactly{both}, so {held}"


# -- health --------------------------------------------------------------------------------

# The seeds' five health bands; their Champions and At-risk are named Thriving and Struggling
# here, so that a customer's health band never shares a name with an RFM segment.
HEALTH_BANDS = (("thriving", 80), ("healthy", 60), ("neutral", 40), ("struggling", 20), ("critical", 0))
HEALTH_NAMES = {"thriving": "Thriving", "healthy": "Healthy", "neutral": "Neutral", "struggling": "Struggling", "critical": "Critical"}
HEALTH_WEIGHTS = {"recency": 0.35, "frequency": 0.25, "spend_trend": 0.2, "frequency_trend": 0.1, "payment_issues": 0.1}
NO_COMPONENT_SCORE = 50  # an account with no component's input at all: neither good nor bad news
PAYMENT_COMPONENTS = ("payment_issues",)  # evidence of trouble only: never enough for a good score alone


def health(components: dict[str, np.ndarray], descriptions: dict[str, str], activity: bool = False, status: AccountStatus | None = None, missing_words: str = "") -> Labels:
    """A 0-100 score: weighted mean of 0-100 components, weights over what the data has
    (``activity``: an event log's, where recency and frequency count any event). A component
    is NaN for an account that lacks its input (``missing_words`` says why, for the facts):
    left out for that account, its other weights rescaled. Accounts a CRM's ``status`` says
    ended score 0: no momentum is left in a closed account."""
    used = {k: w for k, w in HEALTH_WEIGHTS.items() if k in components}
    total = sum(used.values())
    weights = {k: round(w / total, 4) for k, w in used.items()}
    # A component is NaN where an account lacks its input (a CRM account with no order on
    # record has no recency): it is left out for that account and the rest are rescaled, so
    # missing data never scores as the worst value.
    # Transaction data lacks no input: then the masks below are skipped (millions of accounts).
    n = len(next(iter(components.values()))) if components else 0
    lacks = {k: np.isnan(components[k]) for k in used}
    gaps = {k: bool(m.any()) for k, m in lacks.items()}
    weighted, present = np.zeros(n), np.zeros(n)
    for k, w in used.items():
        weighted += (np.where(lacks[k], 0.0, components[k]) if gaps[k] else components[k]) * w
        present += (~lacks[k]) * w if gaps[k] else w
    none_known = present == 0
    score = np.divide(weighted, present, out=np.full(n, float(NO_COMPONENT_SCORE)), where=~none_known)
    # Clean payments alone are not momentum: an account with no usage or buying input left
    # (only payment_issues known) scores at most neutral, while payment trouble still counts.
    activity_keys = [k for k in used if k not in PAYMENT_COMPONENTS]
    payments_only = np.zeros(n, dtype=bool)
    if all(gaps[k] for k in activity_keys):  # else some activity input is known for every account
        payments_only = np.logical_and.reduce([lacks[k] for k in activity_keys]) & ~none_known if activity_keys else ~none_known
        score = np.where(payments_only, np.minimum(score, NO_COMPONENT_SCORE), score)
    score = np.clip(np.round(score), 0, 100).astype(int)
    if status is not None:
        score[status.ended] = 0
    keys = [k for k, _ in HEALTH_BANDS]
    index = _pick(keys, [(k, score >= low) for k, low in HEALTH_BANDS[:-1]], "critical", len(score))
    definition = {
        "formula": " + ".join(f"{weights[k]:.2f} x {k}" for k in weights) + " (each component 0-100, rounded to an integer score)",
        "weights": weights,
        "components": {k: descriptions[k] for k in weights},
        "bands": [{"key": k, "min": low} for k, low in HEALTH_BANDS],
    }
    live = ~status.ended if status is not None else np.ones(n, dtype=bool)
    lacking = {k: int((lacks[k] & live).sum()) if gaps[k] else 0 for k in used}
    if any(lacking.values()):
        definition["formula"] += "; a component whose input an account lacks is left out for that account and its other weights are rescaled to add up to 1"
        said = ", ".join(f"{k} for {c:,}" for k, c in lacking.items() if c)
        definition["missing_inputs"] = (
            f"left out where the input is missing ({said} {'account' if max(lacking.values()) == 1 else 'accounts'}): {missing_words or 'the data does not have it'}"
            + (f"; {int((none_known & live).sum()):,} with none of the components score {NO_COMPONENT_SCORE} (no evidence either way)" if (none_known & live).any() else "")
            + (f"; {int((payments_only & live).sum()):,} with only their payment record score at most {NO_COMPONENT_SCORE} (clean payments alone are not momentum)" if (payments_only & live).any() else "")
        )
    if status is not None:
        definition["ended_accounts"] = f"users whose {status.ended_by} score 0" if status.ended_by else f"accounts whose {status.column} column says they ended ({status.listing(status.ended_values)}) score 0"
    missing = [k for k in HEALTH_WEIGHTS if k not in components]
    reason = (
        "score built from " + ", ".join(weights) + (f"; not in this data: {', '.join(missing)}" if missing else "")
        # spend enters only as a trend: a big spender who is slowing down can score below a small steady buyer
        + f"; it measures momentum (how recently and how steadily a customer {'is active' if activity else 'buys'}), not what they are worth: value tiers do that"
    )
    return Labels("health", keys, HEALTH_NAMES, index, "weighted_score", reason, definition, {"health_score": score})


def trend_component(recent: np.ndarray, before: np.ndarray, new: np.ndarray | None = None) -> np.ndarray:
    """0-100: 50 when flat, 100 when doubled or restarted after a quiet period, 0 when it
    stopped or never ran. ``new``: customers whose first purchase falls in the recent period,
    who score 50. They had no period before to compare with, so a first purchase is no
    evidence of growth. 50 (no news either way) rather than leaving the component out: leaving
    it out would rescale the weights towards recency, which a brand-new buyer tops, and lift
    them again."""
    base = np.maximum(before, 1e-9)
    change = np.where(before > 0, (recent - before) / base, np.where(recent > 0, 1.0, -1.0))
    if new is not None:
        change = np.where(new, 0.0, change)
    return np.clip(50 + 50 * change, 0, 100)


def rank_component(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """0-100 by mid-rank percentile: equal values get equal components."""
    if len(values) == 0:
        return np.zeros(0)
    v = values if higher_is_better else -values
    if np.all(v == np.round(v)) and v.max() - v.min() < 1_000_000:  # days and counts: O(n) by counting
        shifted = (v - v.min()).astype(np.int64)
        counts = np.bincount(shifted)
        below_table = np.concatenate(([0], np.cumsum(counts)[:-1]))
        below = below_table[shifted]
        at_or_below = below + counts[shifted]
    else:
        order = np.sort(v)
        below = np.searchsorted(order, v, side="left")
        at_or_below = np.searchsorted(order, v, side="right")
    return 100 * (below + at_or_below) / (2 * len(v))


# -- behavioral (event logs) -------------------------------------------------------------------

BEHAVIOR_WINDOW_DAYS = 30  # the seeds' usage bands count active days in the last 30
BEHAVIOR_BANDS = (("power", 12), ("regular", 4), ("occasional", 1))
BEHAVIOR_NAMES = {"power": "Power Users", "regular": "Regular Users", "occasional": "Occasional Users", "inactive": "Inactive"}


def behavioral(active_days_30: np.ndarray, days_since_active: np.ndarray | None = None) -> Labels:
    """Seed bands of active days in the last 30; the two activity measures go into
    customers.csv beside the label, for usage triggers (a plan on these segments)."""
    keys = ["power", "regular", "occasional", "inactive"]
    index = _pick(keys, [(k, active_days_30 >= low) for k, low in BEHAVIOR_BANDS], "inactive", len(active_days_30))
    definition = {
        "basis": f"distinct active days in the {BEHAVIOR_WINDOW_DAYS} days up to the as-of date",
        "window_days": BEHAVIOR_WINDOW_DAYS,
        "bands": [{"key": "power", "min_days": 12, "meaning": "active most days (several times a week or more)"},
                  {"key": "regular", "min_days": 4, "meaning": "about weekly"},
                  {"key": "occasional", "min_days": 1, "meaning": "a few times a month or less"},
                  {"key": "inactive", "min_days": 0, "meaning": f"no activity in {BEHAVIOR_WINDOW_DAYS} days"}],
    }
    bands = ", ".join(f"{BEHAVIOR_NAMES[k]} {low}+" for k, low in BEHAVIOR_BANDS)
    extra = {"active_days_30": np.asarray(active_days_30, dtype=np.int64)}
    if days_since_active is not None:
        extra["days_since_active"] = np.asarray(days_since_active, dtype=np.int64)
    return Labels("behavioral", keys, BEHAVIOR_NAMES, index, "active_days_30", f"days with any activity in the last 30 days: {bands}, Inactive none", definition, extra)


def _known_rank(values: np.ndarray, higher_is_better: bool, known: np.ndarray | None) -> np.ndarray:
    """Percentile among the accounts whose value is known; NaN for the others."""
    if known is None or known.all():
        return rank_component(values, higher_is_better)
    out = np.full(len(values), np.nan)
    out[known] = rank_component(values[known], higher_is_better)
    return out


def components_from_metrics(m: Metrics, failed: np.ndarray | None = None, refunds: np.ndarray | None = None, activity: bool = False, known: dict[str, np.ndarray] | None = None, trends: bool = True) -> tuple[dict, dict]:
    """Health components from a customer's metrics; ``activity``: an event log's metrics, where
    a day counts when the customer did anything, not only when they bought. ``known``: per
    component, which accounts have its input (a CRM table's accounts without an order date
    have no recency); the others get NaN, and percentiles rank the known ones only. ``trends``:
    whether the data holds two periods to compare (else the trend components are left out)."""
    comps = {
        "recency": _known_rank(m.recency.astype(float), False, (known or {}).get("recency")),
        "frequency": _known_rank(m.purchase_days.astype(float), True, (known or {}).get("frequency")),
    }
    desc = {
        "recency": f"percentile of days since the last {'activity' if activity else 'purchase'} (fewer is better)",
        "frequency": f"percentile of distinct {'active' if activity else 'purchase'} days",
    }
    if trends and m.period and np.any(m.spend_before + m.spend_recent > 0):
        new = m.tenure < m.period  # first purchase (or activity) inside the recent period: nothing before it
        comps["spend_trend"] = trend_component(m.spend_recent, m.spend_before, new)
        comps["frequency_trend"] = trend_component(m.orders_recent.astype(float), m.orders_before.astype(float), new)
        desc["spend_trend"] = (
            f"spend in the last {m.period} days vs the {m.period} days before (50 = flat, 100 = doubled, or restarted after none in the {m.period} days before, "
            f"0 = stopped or none in either; a customer whose first {'activity' if activity else 'purchase'} was in the last {m.period} days has nothing to compare with and scores 50)"
        )
        desc["frequency_trend"] = f"orders in the last {m.period} days vs the {m.period} days before (same scale)"
    if failed is not None or refunds is not None:
        issues = (failed if failed is not None else 0) + (refunds if refunds is not None else 0)
        comps["payment_issues"] = np.clip(100 - 25 * issues, 0, 100)
        desc["payment_issues"] = "100 minus 25 per payment-problem or refund event (customers.csv's payment_problems counts the former)" if activity else "100 minus 25 per failed payment or refunded order"
    return comps, desc
