"""Compute every segmentation a dataset supports and assemble facts.json and customers.csv."""

from __future__ import annotations

import dataclasses
import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from custseg import __version__
from custseg.compute import analysis, countries, months, products, rfm, seasons
from custseg.compute.country_names import shown
from custseg.compute.contacts import consent_counts
from custseg.compute.holdout import holdout_marks
from custseg.compute.metrics import Ledger, Metrics, customer_codes, customer_metrics, days_words, from_day, metrics_at, next_period, to_days
from custseg.compute.reasons import reasons
from custseg.compute.rules import RuleTable, load_rules, recency_days
from custseg.compute.scoring import RECENCY_BANDS
from custseg.compute.segmentations import BEHAVIOR_WINDOW_DAYS, BILLING_CYCLES, RENEWAL_GRACE_DAYS, AccountStatus, Labels, behavioral, billing_cycles, components_from_metrics, health, lifecycle, value_tiers
from custseg.errors import InputError
from custseg.facts.schema import (
    SCHEMA_VERSION,
    AbroadFigures,
    AfterAsOf,
    ContactConsent,
    CountryFigures,
    CountryShare,
    DataContacts,
    DataCountries,
    DataCoverage,
    DataProducts,
    DataSeasonality,
    Facts,
    FirstPurchaseProduct,
    Inversion,
    HistoryRow,
    Migration,
    MonthFigures,
    Opportunity,
    PaymentProblems,
    ProductBuyers,
    ProductFamily,
    Quarters,
    RecentRevenueWindow,
    Refunds,
    DataRefunds,
    Seasonality,
    Segmentation,
    SegmentCountries,
    SegmentStats,
    Subscriptions,
    Transition,
    Validation,
    ValidationRow,
)
from custseg.ingest import Dataset
from custseg.ingest.clean import CONVERTED_NOTE, MIN_CUSTOMERS_TO_SEGMENT, status_kinds
from custseg.ingest.countries import country_column

MIN_CUSTOMERS = MIN_CUSTOMERS_TO_SEGMENT
# Days since the last purchase (or any activity) from which a customer is lapsed: for purchases
# recency score 1's band (more than 180 days), for activity behavioral Inactive's (none in 30 days).
LAPSED_FROM = {"purchase": RECENCY_BANDS[-1][1], "activity": 30}
# data fields a run adds (the profile has none of them, or, as contacts, its own of another shape)
EXTRA_COVERAGE = ("mrr_total", "prospects_by_status", "payment_problems", "subscriptions", "products", "countries", "contacts", "refunds")
SEGMENT_COLUMNS = {"rfm": "segment", "lifecycle": "lifecycle", "value": "value_tier", "health": "health_band", "behavioral": "behavior"}  # segmentation -> its customers.csv column
DEFAULT_PERIOD_DAYS = 90  # trends, migration and validation compare periods of this length
WATCH = [("champions", "at_risk"), ("loyal", "at_risk"), ("at_risk", "dormant"), ("loyal", "champions"), ("needs_attention", "loyal"), ("new", "loyal")]
# Usage groups: the moves that lose an engaged user, and the one worth growing (the seeds' Regular -> Champion)
USAGE_WATCH = [("power", "occasional"), ("power", "inactive"), ("regular", "inactive"), ("occasional", "inactive"), ("regular", "power")]
# The segment history: at most this many cutoffs, and computed up to this many customers at the
# as-of date. Each cutoff scores every customer again: on the benchmark's CDNOW file (2.36 million
# customers, four cutoffs beyond validation's) the step took about a quarter of the whole run's
# time (15.7 s of 60.7 s on a loaded two-core machine), and on its first 250,000 customers about
# 0.2 s a cutoff on the same machine; above this many it is skipped and facts.unavailable says so.
HISTORY_CUTOFFS = 8
HISTORY_MAX_CUSTOMERS = 250_000


@dataclass
class RunOptions:
    as_of: str | None = None
    period: str = f"{DEFAULT_PERIOD_DAYS}d"
    method: str = "auto"  # auto | fixed | quantile
    rules: str | None = None  # path of a user rule table
    validate: bool = True


def today() -> int:
    """Today's day number (the data's age is measured against it; tests set it)."""
    return int(to_days(np.datetime64(datetime.date.today(), "D")))


UNATTRIBUTED_WARN = 0.05  # share of the export's sales in orders naming no customer, from which the profile and the report say so


def unattributed_share(dropped_value: dict | None, revenue_total: float | None) -> float | None:
    """Share of the export's sales (kept revenue + orders naming no customer) that name no
    customer: segment revenue shares are of the rest."""
    lost = (dropped_value or {}).get("no_identity")
    if not lost or lost <= 0 or not revenue_total or revenue_total <= 0:
        return None
    return lost / (revenue_total + lost)


def one_time_warning(share: float | None, buyers: str, has_revenue: bool) -> str | None:
    """What the profile says of data where most customers bought on one day only; a run to an
    earlier as-of date says it again of the customers up to that date (None under a half).
    The share in the report's format (67.5%, not 67%): one figure, one way."""
    if share is None or share < 0.5:
        return None
    carry = "recency and spend carry" if has_revenue else "recency carries"
    return f"{share:,.1%} of {buyers} bought once: frequency separates few of them, so {carry} the segmentation"


def short_data_warning(days_covered: int) -> str:
    """What the profile says before a run about data shorter than two default periods; a
    run that then skips migration replaces it with the reason it skipped."""
    return f"data covers {days_words(days_covered)}: recency-based scores will be compressed, and migration and next-period validation need at least {2 * DEFAULT_PERIOD_DAYS}"


# Under a month of history every customer's tenure is in lifecycle's first stage (0-30 days),
# and days since the last purchase say where in the month they bought (a subscriber's billing
# date), not whether they are drifting away: stages and health would only look like findings.
MIN_DAYS_FOR_STAGES = 31


def too_short_for(kind: str, days: int | None) -> str | None:
    """Why data covering ``days`` cannot support lifecycle or health; None when it can."""
    if days is None or days >= MIN_DAYS_FOR_STAGES or kind not in ("lifecycle", "health"):
        return None
    if kind == "lifecycle":
        return f"needs at least {MIN_DAYS_FOR_STAGES} days of history; the data covers {days_words(days)}, so every customer would be in the first tenure stage (Onboarding)"
    return f"needs at least {MIN_DAYS_FOR_STAGES} days of history; over {days_words(days)}, days since the last purchase say where in the month a customer bought (a subscriber's billing date), not whether they are drifting away"


def subscription_warning(recurring: dict | None, cycles: dict[str, int] | None, lifecycle: bool = True) -> str | None:
    """Most customers paying by subscription: what repeat payments, 'bought once' and Lapsed
    mean then. ``cycles``: subscribers per billing cycle as lifecycle reads them (lifecycle's
    definition.billing_cycles); the warning promises the renewal-based lapse only when some
    subscriber has a cycle, since lifecycle applies it to no one else. Without a ``lifecycle``
    (data too short for one) it says nothing of lapsing. None under half."""
    head = _subscription_head(recurring)
    if head is None:
        return None
    if not lifecycle:
        return head + RFM_KNOWS_NO_CYCLE
    plain_lapse = f"lapses at {LAPSED_FROM['purchase']}+ days without a payment like any customer"
    if cycles:
        n = sum(cycles.values())
        lapse = (f"Lifecycle reads the billing cycle of {n:,} {'subscriber' if n == 1 else 'subscribers'} from their plan's name or their payments (lifecycle's definition.billing_cycles counts them by cycle) "
                 f"and calls them Lapsed {RENEWAL_GRACE_DAYS} days after a missed renewal; a subscriber with one payment and no plan name stating a cycle {plain_lapse}")
    else:
        lapse = ("No subscriber's billing cycle can be read here (one payment each, or payments too close together, and no plan name that states a cycle), "
                 f"so lifecycle calls a subscriber Lapsed as it does any customer, after {LAPSED_FROM['purchase']}+ days without a payment: an annual subscriber who paid once can show as Lapsed while still paying")
    return head + lapse + ". " + RFM_KNOWS_NO_CYCLE


# sales_by_month's warning, as the briefs recognise it: the last period, where next-period rates
# are measured, sold far more (or less) than the one before
LAST_PERIOD_PACE = re.compile(r"the last period \(.*\), where next-period checks and trends are measured, held ")

RFM_KNOWS_NO_CYCLE = "RFM recency does not know the cycle: an annual subscriber who paid months ago gets a low recency score, like a customer who went quiet, while still paying"


def _subscription_head(recurring: dict | None) -> str | None:
    """The subscription warning's opening, the same whatever lifecycle did; None under half."""
    if not recurring or (recurring.get("customers_share") or 0) < 0.5:
        return None
    revenue = f" ({recurring['revenue_share']:.0%} of revenue)" if recurring.get("revenue_share") is not None else ""
    return (f"{recurring['customers_share']:.0%} of customers pay by subscription{revenue}: a repeat payment is a renewal billed automatically, not a decision to buy again, "
            "so frequency counts billing cycles. ")


def billing_cycle_counts(ds: Dataset, ledger: Ledger | None = None) -> dict[str, int]:
    """Subscribers per billing cycle over all the data (cycle name -> customers), as lifecycle
    reads them; empty when no subscriber shows one."""
    if ds.transactions is None:
        return {}
    ledger = ledger if ledger is not None else Ledger.from_frame(ds.transactions)
    cycles = _billing_cycles(ds, ledger)
    if cycles is None:
        return {}
    return {name: int((cycles == c).sum()) for c, name in BILLING_CYCLES if (cycles == c).any()}


def parse_period(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", str(text).lower())
    if not match or int(match.group(1)) <= 0:
        raise InputError(None, f"--period {text!r}: use a number of days like 90d, 12w, 3m (30 days) or 1y (365 days)")
    n, unit = int(match.group(1)), match.group(2) or "d"
    return n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]


def parse_as_of(text: str) -> int:
    try:
        day = np.datetime64(pd.Timestamp(text).date(), "D")
    except (ValueError, TypeError):
        raise InputError(None, f"--as-of {text!r} is not a date (use YYYY-MM-DD)") from None
    return int((day - np.datetime64("1970-01-01", "D")).astype(np.int64))


@dataclass
class Scoring:
    metrics: Metrics
    scored: rfm.Scored
    assignment: rfm.Assignment

    def index(self, keys: list[str]) -> np.ndarray:
        """Per customer: position of its segment in ``keys`` (the ranked order)."""
        perm = np.array([keys.index(rule.key) for rule in self.assignment.table.rules], dtype=np.int16)
        return perm[self.assignment.segment]


def build(ds: Dataset, opts: RunOptions, profile, ledger: Ledger | None = None) -> tuple[Facts, pd.DataFrame]:
    """Facts and the per-customer table for a loaded dataset (``profile`` from the profile tool)."""
    period = parse_period(opts.period)
    if opts.method not in ("auto", "fixed", "quantile"):
        raise InputError(None, f"--method {opts.method!r}: choose auto, fixed or quantile")
    user_rules = load_rules(opts.rules) if opts.rules else None
    if ds.kind == "customers":
        return _CustomerTable(ds, opts, period, profile, user_rules).run()
    return _Transactions(ds, opts, period, profile, user_rules).run(ledger)


class _Base:
    def __init__(self, ds: Dataset, opts: RunOptions, period: int, profile, user_rules: RuleTable | None):
        self.ds, self.opts, self.period, self.profile, self.user_rules = ds, opts, period, profile, user_rules
        self.warnings: list[str] = list(profile.warnings)
        self.notes: list[str] = list(profile.notes)
        self.unavailable: dict[str, str] = dict(profile.methods_unavailable)
        self.segmentations: dict[str, Segmentation] = {}
        self.labels_cache: dict[str, tuple[np.ndarray, Labels]] = {}  # kind -> (customer codes, labels)
        self.prev_labels: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # kind -> (customer codes, segment index) one period earlier
        self.by_month: list[MonthFigures] | None = None
        self.seasonality: DataSeasonality | None = None
        self.extra_coverage: dict = {}  # data fields only some inputs give (a CRM's MRR, prospects by status)
        self.up_to_as_of: dict = {}  # the profile's data figures counted again up to an as-of date before the data's end

    def coverage(self) -> DataCoverage:
        # The profile already holds these figures under the same names: copy them by name.
        own = ("files", "rows_by_file", "by_month", "seasonality", "after_as_of", *EXTRA_COVERAGE)
        shared = {f.name: getattr(self.profile, f.name) for f in dataclasses.fields(DataCoverage) if f.name not in own}
        shared.update(self.up_to_as_of)
        return DataCoverage(files=[f.name for f in self.profile.files], rows_by_file={f.name: f.rows for f in self.profile.files}, by_month=self.by_month, seasonality=self.seasonality, **shared, **self.extra_coverage)

    def facts(self, as_of: int | None) -> Facts:
        return Facts(SCHEMA_VERSION, f"custseg {__version__}", from_day(as_of) if as_of is not None else None, self.period, self.coverage(), self.segmentations, self.unavailable, self.warnings, self.notes)

    # -- shared pieces ----------------------------------------------------------------

    def score(self, metrics: Metrics, method: str, reason: str, table: RuleTable | None = None, table_reason: str = "", merged: list | None = None) -> Scoring:
        scored = rfm.score(metrics, method, reason, self.has_amounts)
        if table is None:
            table, table_reason = rfm.choose_table(len(metrics), scored, self.user_rules, self.has_amounts)
            assignment = rfm.merge_small(rfm.assign(table, table_reason, scored), scored)
        else:
            assignment = rfm.apply_merges(rfm.assign(table, table_reason, scored), merged or [])
        return Scoring(metrics, scored, assignment)

    def shares_of(self, on_purchases: bool) -> str:
        """Whose shares a segmentation's are: an event log's purchase-based segments hold its buyers only."""
        return "buyers" if on_purchases and self.ds.kind == "events" else "customers"

    def segmentation_from_labels(self, lab: Labels, metrics: Metrics, prev: np.ndarray | None, revenue_total: float | None, amounts: bool = True) -> Segmentation:
        """``amounts``: whether ``metrics`` carry money (an event log's activity metrics do not,
        so its lifecycle, health and behavioral segments get no revenue figures, not zeros)."""
        stats = analysis.segment_stats(lab.index, lab.keys, metrics, self.has_amounts and amounts, revenue_total)
        analysis.add_trend(stats, prev, lab.keys)
        segments = {k: SegmentStats(k, lab.names.get(k, k), "", _rule_text(lab, k, self.profile.currency), **stats[k], **_usage_stats(lab, i)) for i, k in enumerate(lab.keys)}
        return Segmentation(lab.kind, lab.method, lab.method_reason, lab.definition, lab.keys, segments, len(lab.index), trend_threshold=analysis.TREND_THRESHOLD if prev is not None else None, trend_basis=_trend_basis(self.shares_of(amounts)) if prev is not None else None)


def _season(figures: dict) -> dict:
    """seasons.figures' dict with its quarter maps typed."""
    return {**figures, "revenue_share": Quarters(**figures["revenue_share"]), "buyers_share": Quarters(**figures["buyers_share"])}


def _usage_stats(lab: Labels, i: int) -> dict:
    """The behavioral segment's mean active days in the last 30 and median days since the
    last event (its customers.csv columns), for usage KPIs; nothing for other segmentations."""
    if "active_days_30" not in lab.extra:
        return {}
    members = lab.index == i
    if not members.any():
        return {"active_days_30": None, "days_since_active": None}
    out = {"active_days_30": round(float(lab.extra["active_days_30"][members].mean()), 2)}
    if "days_since_active" in lab.extra:
        out["days_since_active"] = float(np.median(lab.extra["days_since_active"][members]))
    return out


def countries_definition(column: str, home: str) -> str:
    """data.countries.definition: how a customer is placed and what the figures count."""
    return (f"each customer counted once, in the country of their most recent kept order up to the as-of date that names one ({column}); "
            "customers_share and revenue_share are of the customers placed in a country and their spend (all their kept orders up to the as-of date); "
            f"repeat_rate: the share who bought on more than one day (null from fewer than {analysis.MIN_RATE_CUSTOMERS} customers); "
            f"home: the country with the most customers ({home}); abroad: every other country together; "
            "countries by their English names (name; an ISO code such as GB read as its name) with the ISO code (code)")


def _no_migration_note(why: str) -> str:
    """facts.json's opportunities_note when moves between segments were not measured at all."""
    return f"no move between segments is sized: sizing needs the moves of the last period, which were not measured ({why})"


def _trend_basis(who: str = "customers") -> str:
    """``who``: whose shares the segments are ("buyers" for an event log's purchase-based segments)."""
    return analysis.TREND_BASIS.format(who, analysis.TREND_THRESHOLD, analysis.TREND_MIN_CUSTOMERS, analysis.TREND_CLEAR_CUSTOMERS)


def _rule_text(lab: Labels, key: str, currency: str | None = None) -> str:
    d = lab.definition
    if lab.kind == "lifecycle":
        if key in ("lapsed", "churned"):
            return d[key]
        band = next(b for b in d["tenure_bands_days"] if b["key"] == key)
        return f"tenure {band['min']}-{band['max']} days" if band["max"] is not None else f"tenure over {band['min'] - 1} days"
    if lab.kind == "health":
        bands = d["bands"]  # highest first: each band ends where the one above begins
        i = next(i for i, b in enumerate(bands) if b["key"] == key)
        upper = 100 if i == 0 else bands[i - 1]["min"] - 1
        return f"health score {bands[i]['min']}-{upper}"
    if lab.kind == "behavioral":
        band = next(b for b in d["bands"] if b["key"] == key)
        return band["meaning"]
    if lab.kind == "value":
        tier = next(t for t in d["tiers"] if t["key"] == key)
        unit = f" {currency}" if currency else ""
        if tier.get("above") is not None and tier.get("at_most") is not None and tier["above"] >= tier["at_most"]:
            # equal cut points: no spend is above one and at most the other
            return f"none: both cut points are {tier['at_most']:,.2f}{unit}"
        return ("ARR " if lab.method == "arr_tiers" else "spend ") + ", ".join(f"{k.replace('_', ' ')} {v:,.2f}{unit}" for k, v in tier.items() if k not in ("key", "cut_share") and v is not None)
    return ""


class _Transactions(_Base):
    """Shopify, Stripe, WooCommerce, Square, logs; and event logs (activity + purchases)."""

    @property
    def has_amounts(self) -> bool:
        return bool(self.ds.has_revenue)

    def run(self, ledger: Ledger | None = None) -> tuple[Facts, pd.DataFrame]:
        ds = self.ds
        buyers = ledger if ledger is not None else Ledger.from_frame(ds.transactions)
        if len(buyers.ids) < MIN_CUSTOMERS and ds.kind == "transactions":
            raise InputError(_label(ds), f"only {len(buyers.ids)} customers with a kept order: at least {MIN_CUSTOMERS} are needed to segment")
        activity = _activity_ledger(ds) if ds.kind == "events" else buyers
        first_day, last_day = int(activity.day.min()), int(activity.day.max())
        as_of = parse_as_of(self.opts.as_of) if self.opts.as_of else last_day
        if as_of < first_day:
            raise InputError(_label(ds), f"--as-of {from_day(as_of)} is before the first purchase ({from_day(first_day)})")
        if as_of - last_day > 365:
            self.warnings.append(f"the as-of date is {as_of - last_day} days after the last purchase: every customer looks lapsed")
        age = today() - last_day
        if not self.opts.as_of and age > self.period:  # the user did not choose the date: say how old it is
            self.warnings.append(
                f"the data ends on {from_day(last_day)}, {age:,} days before today ({from_day(today())}): the segments show customers as they were then "
                "(who is recent, at risk or lapsed has moved on since); export the data again for today's picture"
            )
        if as_of < last_day:
            self.cut_at_as_of(buyers, activity, as_of)
        span = as_of - first_day + 1
        cutoff = as_of - self.period
        history = span >= 2 * self.period
        if not history:
            why = f"the data covers {days_words(span)} up to the as-of date, less than two {self.period}-day periods"
            self.unavailable["migration"] = why
            self.unavailable["validation"] = why
            self.unavailable["history"] = why
            # One warning about short data: the profile's said the same before the run.
            if getattr(self.profile, "days_covered", None) is not None:
                self.warnings = [w for w in self.warnings if w != short_data_warning(self.profile.days_covered)]
            self.warnings.append(f"migration and next-period validation skipped: {why}")
        elif not self.opts.validate:
            self.unavailable["validation"] = "skipped with --no-validate"
            self.unavailable["history"] = "skipped with --no-validate: the history is the next-period check at successive cutoffs"
        if history and getattr(self.profile, "days_covered", None) is not None:
            # The profile warned of too little data for the default period; this run's fits.
            self.warnings = [w for w in self.warnings if w != short_data_warning(self.profile.days_covered)]

        verb = "activity" if ds.kind == "events" else "purchase"
        lapse = LAPSED_FROM[verb]
        issues = _issues(ds, activity)
        # The other segmentations, in the order facts.json lists them. Value tiers are on the
        # buyers' metrics, the rest on the activity's (the same metrics for purchase data).
        subscriptions = _subscriptions(ds, activity)

        def ended(m: Metrics) -> AccountStatus | None:  # an event log's users whose account had ended by then
            return _ended_by_events(subscriptions, m) if subscriptions is not None else None

        cycles = _billing_cycles(ds, activity)  # subscribers' billing cycles (Stripe): when a missed renewal means lapsed

        def cycle_of(m: Metrics) -> np.ndarray | None:
            return cycles[m.code] if cycles is not None else None

        makers: list[tuple[str, Callable[[Metrics], Labels], bool]] = []
        too_short = {kind: why for kind in ("lifecycle", "health") if (why := too_short_for(kind, span))}
        self.unavailable.update(too_short)
        if "lifecycle" not in too_short:
            makers.append(("lifecycle", lambda m: lifecycle(m.tenure, m.recency, lapse, verb, ended(m), cycle_of(m)), False))
        if self.has_amounts and len(buyers.ids) >= MIN_CUSTOMERS:
            subscription = ds.source == "stripe_payments"
            makers.append(("value", lambda m: value_tiers(_annual(buyers, m), m.monetary, subscription, span), True))
        on_activity = activity is not buyers
        # Trends compare the last period with the one before: data shorter than two periods has
        # no 'before' to compare with for anyone, so the health score then leaves them out.
        if "health" not in too_short:
            makers.append(("health", lambda m: health(*components_from_metrics(m, *(_take(issues, m.code)), activity=on_activity, trends=history), activity=on_activity, status=ended(m)), False))
        if ds.kind == "events":
            makers.append(("behavioral", lambda m: behavioral(_active_days(activity, m, BEHAVIOR_WINDOW_DAYS), m.recency), False))

        customers = pd.DataFrame()
        others = None
        rfm_seg, rfm_now, rfm_prev = None, None, None
        with ThreadPoolExecutor(max_workers=1) as pool:
            if len(buyers.ids) >= MIN_CUSTOMERS:
                # Purchase data: one set of metrics serves every segmentation, so the others
                # are labelled on a second thread while RFM is scored and checked.
                rfm_seg, rfm_now, rfm_prev, others = self.rfm(buyers, as_of, cutoff, history, span, pool, makers if activity is buyers else None)
                self.segmentations["rfm"] = rfm_seg
                customers = self.customer_rows(buyers, rfm_now)
            elif ds.kind == "events":
                self.unavailable["rfm"] = f"only {len(buyers.ids)} customers with purchase events"
            if others is not None:
                labelled = others.result()
            else:
                act_now = customer_metrics(activity, as_of, self.period)
                act_prev = customer_metrics(activity, cutoff, self.period) if history else None
                buy_now, buy_prev = (rfm_now.metrics, rfm_prev.metrics if rfm_prev else None) if rfm_now is not None else (None, None)
                labelled = [(kind, *self.labelled(make, buy_now if on_buyers else act_now, buy_prev if on_buyers else act_prev, amounts=on_buyers or activity is buyers)) for kind, make, on_buyers in makers]
        for kind, seg, cached in labelled:
            if seg is not None:
                if activity is not buyers and kind != "value":  # an event log's: measured on every event
                    seg.basis = "activity"
                self.segmentations[kind] = seg
                self.labels_cache[kind] = cached
        for kind in self.segmentations:
            self.unavailable.pop(kind, None)
        if rfm_seg is not None:
            self.value_tiers_by_segment(rfm_seg, rfm_now)
        if history and "behavioral" in self.segmentations:
            self.usage_moves(activity, as_of, cutoff)
        self.censoring_caveats(first_day, as_of, cutoff, span, history, verb)
        self.sales_by_month(buyers, as_of, history, first_day)
        self.by_quarter(buyers, as_of, span, rfm_seg, rfm_now)
        self.products_bought(buyers, as_of, rfm_seg, rfm_now)
        if rfm_seg is not None and rfm_now is not None:
            self.recent_revenue(buyers, as_of, span, rfm_seg, rfm_now)
            self.refunds_by_segment(buyers, as_of, last_day, rfm_seg, rfm_now)
        self.customers_by_country(buyers, as_of, rfm_seg, rfm_now)
        customers = self.attach_other_labels(customers, activity, buyers)
        if subscriptions is not None and len(customers):
            customers = self.add_subscriptions(subscriptions, activity, as_of, customers)
        if ds.outstanding is not None and len(customers):
            customers = self.add_outstanding(ds.outstanding, customers)
        if ds.kind == "events" and ds.payment_problem_events and ds.issues is not None and len(customers):
            customers = self.add_payment_problems(ds.issues, ds.payment_problem_events, customers)
        if len(customers) and (marks := holdout_marks(customers["customer_id"])) is not None:  # the CRM files mark the same customers: see compute/holdout.py
            customers["holdout"] = marks
        if ds.prospect_contacts is not None:  # the orders with the store's customers export
            self.extra_coverage["contacts"] = contacts_by_purchase(ds.contacts, customers["customer_id"], ds.prospect_contacts, ds.prospects)
        if "billing_cycle" in customers and "r_score" in customers:
            self.paying_but_quiet(customers)
        self.align_subscription_warning()
        return self.facts(as_of), customers

    def cut_at_as_of(self, buyers: Ledger, activity: Ledger, as_of: int) -> None:
        """An as-of date before the data's end: the data's figures (customers, orders, revenue,
        dates, one-day buyers) count up to it, as the segments do, and the purchases after it are
        counted apart (a trial's report showed the whole file's revenue beside segments that
        held 71% of it)."""
        kept, users = buyers.until(as_of), activity.until(as_of)
        customers = int(np.unique(kept.code).size)
        days = kept.purchase_days()
        revenue = float(np.nansum(kept.amount)) if self.has_amounts else None
        total = float(np.nansum(buyers.amount)) if self.has_amounts else None
        date_min = self.profile.date_min
        self.up_to_as_of = {
            "customers": int(np.unique(users.code).size) if activity is not buyers else customers,
            "orders": len(kept.code),
            "revenue_total": round(revenue, 2) if revenue is not None else None,
            "date_max": from_day(as_of),
            "days_covered": as_of - int(to_days(np.datetime64(date_min, "D"))) + 1 if date_min else None,
            "one_time_share": round(float((days == 1).mean()), 6) if len(days) else None,
            "after_as_of": AfterAsOf(
                len(buyers.code) - len(kept.code),
                round(total - revenue, 2) if revenue is not None and total is not None else None,
                int(np.unique(buyers.code).size) - customers,
                self.profile.date_max,
            ),
        }
        if activity is not buyers:  # an event log: its buyers are counted apart from its users
            self.up_to_as_of["buyers"] = customers
        buyers_word = "buyers" if activity is not buyers else "customers"
        said = one_time_warning(self.profile.one_time_share, buyers_word, self.has_amounts)
        now = one_time_warning(self.up_to_as_of["one_time_share"], buyers_word, self.has_amounts)
        self.warnings = [w for w in self.warnings if w != said] + ([now] if now else [])
        after = self.up_to_as_of["after_as_of"]
        money = f", {after.revenue:,.2f} of revenue" if after.revenue is not None else ""
        self.notes.append(
            f"purchases after the as-of date {from_day(as_of)} ({after.orders:,} orders{money}, up to {after.date_max}) are left out of the segments and of every figure, "
            "the data's customers, orders and revenue included"
        )

    def value_tiers_by_segment(self, seg: Segmentation, now: Scoring) -> None:
        """Each RFM segment's customers by value tier (SegmentStats.value_tiers): the tiers are
        labelled on the same customers, so a large segment's big spenders can be counted."""
        cached = self.labels_cache.get("value")
        if cached is None:
            return
        codes, lab = cached
        if not np.array_equal(codes, now.metrics.code):  # labelled on other metrics: no shared order
            return
        width = len(lab.keys)
        table = np.bincount(now.index(seg.order) * width + lab.index, minlength=len(seg.order) * width).reshape(len(seg.order), width)
        for i, key in enumerate(seg.order):
            seg.segments[key].value_tiers = {tier: int(table[i, j]) for j, tier in enumerate(lab.keys)}

    def align_subscription_warning(self) -> None:
        """The profile's subscription warning counted billing cycles over all the data; the
        lifecycle scored at the as-of date may hold fewer (or none): the warning then says what
        lifecycle did, and names its definition.billing_cycles only when that exists. Found by
        its opening, which does not depend on the cycles."""
        head = _subscription_head(self.ds.recurring)
        at = next((i for i, w in enumerate(self.warnings) if head and w.startswith(head)), None)
        if at is None:
            return
        life = self.segmentations.get("lifecycle")
        self.warnings[at] = subscription_warning(self.ds.recurring, life.definition.get("billing_cycles") if life is not None else None, lifecycle=life is not None)

    def paying_but_quiet(self, customers: pd.DataFrame) -> None:
        """Subscribers still within their billing cycle whom RFM recency scores low (an annual
        plan paid months ago): a win-back on their RFM segment would reach people still paying."""
        paying = customers["billing_cycle"].notna().to_numpy() & (customers["lifecycle"].astype(object).to_numpy() != "lapsed")
        quiet = paying & (pd.to_numeric(customers["r_score"], errors="coerce").fillna(5).to_numpy() <= 2)
        if not quiet.any():
            return
        names = customers.loc[quiet, "segment_name"].astype(str).value_counts()
        listing = ", ".join(f"{name} {n:,}" for name, n in names.items())
        n = int(quiet.sum())
        self.warnings.append(
            f"{n:,} {'subscriber' if n == 1 else 'subscribers'} still within their billing cycle {'has' if n == 1 else 'have'} an R score of 1 or 2 (their last payment is long ago by RFM's measure: mostly annual plans), "
            f"so RFM puts them in {listing}: leave them out of win-back messages (their lifecycle is not Lapsed; customers.csv and segments_generic.csv carry billing_cycle)"
        )

    def usage_moves(self, activity: Ledger, as_of: int, cutoff: int) -> None:
        """The usage groups' migration (grouped at the cutoff, for their trend, and at the as-of
        date) and their check against the next period (active again, any event), as the RFM
        segments have."""
        if "behavioral" not in self.prev_labels:  # nobody active by the cutoff
            return
        seg = self.segmentations["behavioral"]
        now_codes, now_lab = self.labels_cache["behavioral"]
        prev_codes, prev_idx = self.prev_labels["behavioral"]
        keys = now_lab.keys
        mig = analysis.migration(prev_codes, prev_idx, now_codes, now_lab.index, keys, None, USAGE_WATCH)
        seg.migration = Migration(from_day(cutoff), from_day(as_of), mig["customers_in_both"], mig["matrix"], None, mig["entered"], [Transition(**w) for w in mig["watch"]],
                                  f"users with an event by {from_day(cutoff)}, grouped then and at {from_day(as_of)} by their active days in the 30 days before each date")
        if not self.opts.validate:
            return
        events_next, _ = next_period(activity, cutoff, cutoff + self.period)
        v = analysis.validation(prev_codes, prev_idx, keys, events_next, np.zeros(len(activity.ids)), False, verb="were active again", held=holdout_marks(activity.ids))
        seg.validation = Validation(from_day(cutoff), from_day(cutoff + self.period), self.period, [ValidationRow(**r) for r in v.pop("segments")], inversions=[Inversion(**i) for i in v.pop("inversions")], **v,
                                    note=f"users grouped with activity up to {from_day(cutoff)}, then checked for any event in the next {self.period} days (repeat_rate: the share active again)")
        for row in seg.validation.segments:
            seg.segments[row.segment].next_repeat_rate = row.repeat_rate

    def add_outstanding(self, owed: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
        """customers.csv's outstanding_payments and outstanding_value (failed payments not paid
        later; 0 for everyone else), and per segment how many owe one and how much."""
        table = owed.set_index("customer_id")
        customers["outstanding_payments"] = customers["customer_id"].map(table["outstanding_payments"]).fillna(0).astype(np.int64).to_numpy()
        customers["outstanding_value"] = customers["customer_id"].map(table["outstanding_value"]).fillna(0.0).round(2).to_numpy()
        customers["outstanding_since"] = customers["customer_id"].map(table["outstanding_since"]).to_numpy(dtype=object)
        owes = customers["outstanding_payments"].to_numpy() > 0
        value = customers["outstanding_value"].to_numpy()
        for stats, members in self.members_by_segment(customers):
            mine = owes & members
            stats.outstanding_customers = int(mine.sum())
            stats.outstanding_value = round(float(value[mine].sum()), 2)
        return customers

    def members_by_segment(self, customers: pd.DataFrame):
        """Each segment of every segmentation with a customers.csv column, and its members' mask."""
        for kind, column in SEGMENT_COLUMNS.items():
            seg = self.segmentations.get(kind)
            if seg is None or column not in customers:
                continue
            label = customers[column].astype(object).to_numpy()
            for key, stats in seg.segments.items():
                yield stats, label == key

    def add_payment_problems(self, issues: pd.DataFrame, events: dict[str, int], customers: pd.DataFrame) -> pd.DataFrame:
        """An event log's customers.csv payment_problems (events naming a failed payment or a
        checkout error, per user; 0 for everyone else), the users who had one, and per segment
        how many: a team asked to flag who had payment problems can filter on it."""
        table = issues.set_index("customer_id")
        customers["payment_problems"] = customers["customer_id"].map(table["failed"]).fillna(0).astype(np.int64).to_numpy()
        had = customers["payment_problems"].to_numpy() > 0
        if "last_failed" in table:  # the day of each user's last one: who bought again since can be told
            last = customers["customer_id"].map(table["last_failed"]).to_numpy(dtype="datetime64[D]")
            missing = ~had | np.isnat(last)
            customers["last_payment_problem"] = _dates(to_days(np.where(missing, np.datetime64(0, "D"), last)), missing)
        self.extra_coverage["payment_problems"] = PaymentProblems(int(had.sum()), dict(events))
        for stats, members in self.members_by_segment(customers):
            stats.payment_problem_customers = int((had & members).sum())
        return customers

    def add_subscriptions(self, events: "AccountEvents", activity: Ledger, as_of: int, customers: pd.DataFrame) -> pd.DataFrame:
        """An event log's account state per user at the as-of date (customers.csv's
        ``subscription``: active, ended or empty), its counts in the facts, and a warning when
        ended accounts sit in usage groups or RFM segments that a team would contact."""
        state = events.state(as_of, len(activity.ids))
        pos = pd.Index(activity.ids).get_indexer(customers["customer_id"])
        mine = np.where(pos >= 0, state[np.maximum(pos, 0)], -1).astype(np.int8)
        customers["subscription"] = pd.Categorical.from_codes(mine, ["active", "ended"])
        active, ended = mine == 0, mine == 1
        by_behavior = None
        if "behavior" in customers and "behavioral" in self.segmentations:
            counts = customers.loc[active, "behavior"].astype(str).value_counts()
            by_behavior = {k: int(counts.get(k, 0)) for k in self.segmentations["behavioral"].order}
        self.extra_coverage["subscriptions"] = Subscriptions(int(active.sum()), int(ended.sum()), by_behavior, events.started_names, events.ended_names)
        using = int((ended & customers["behavior"].isin(["power", "regular", "occasional"]).to_numpy()).sum()) if "behavior" in customers else 0
        scored = int((ended & customers["segment"].notna().to_numpy()).sum()) if "segment" in customers else 0
        if using or scored:
            where = " and ".join(p for p in (f"{using:,} of them are in a usage group other than Inactive (their last 30 days' use)" if using else "", f"{scored:,} in an RFM segment (their purchases)" if scored else "") if p)
            self.warnings.append(
                f"{int(ended.sum()):,} users' account had ended by the as-of date ({', '.join(events.ended_names)}): the lifecycle puts them in Churned and the health score gives them 0, but {where}; "
                "the subscription column of customers.csv and segments_generic.csv says whose account ended: leave them out of plans for active users, or treat them as win-back"
            )
        return customers

    def sales_by_month(self, buyers: Ledger, as_of: int, history: bool, data_start: int) -> None:
        """Sales by month from the data's first day (an event log's first event, before its first
        purchase), and a warning when the last period (where next-period checks and trends are
        measured) sold far more or less than the period before it."""
        if not len(buyers.day) or int(buyers.day.min()) > as_of:  # no purchase by the as-of date
            return
        first = min(data_start, int(buyers.day.min()))
        daily = months.Daily.from_ledger(buyers, first, as_of, self.has_amounts)
        self.by_month = [MonthFigures(**row) for row in months.by_month(buyers, daily)]
        change = daily.pace_change(as_of, self.period) if history else None
        if change is None or 1 / months.PACE_RATIO < change < months.PACE_RATIO:
            return
        year_ago = daily.pace_change(as_of - 365, self.period)
        sales = "sales" if self.has_amounts else "orders"
        rose = change >= months.PACE_RATIO

        def held(ratio: float) -> str:
            return f"{ratio:.1f} times" if ratio >= 1 else f"{ratio:.0%} of"

        earlier = f"; a year earlier the same days held {held(year_ago)} the {sales} of the period before them" if year_ago is not None else ""
        why = "a peak season or growth" if rose else "a quiet season, fewer new customers or a shrinking business"
        self.warnings.append(
            f"the last period ({from_day(as_of - self.period + 1)} to {from_day(as_of)}), where next-period checks and trends are measured, held {held(change)} the {sales} "
            f"of the period before it{earlier}: every segment's figures in it {'rise' if rose else 'fall'} alike ({why}), so compare segments with each other rather than with other periods"
        )

    def by_quarter(self, buyers: Ledger, as_of: int, span: int, seg: Segmentation | None, now: Scoring | None) -> None:
        """When each RFM segment (at the as-of date) and every customer together bought in the
        year up to the as-of date, by calendar quarter; left out, and said why, when the data
        holds less than a year."""
        if span < seasons.YEAR_DAYS:
            self.unavailable["seasonality"] = f"the data covers {days_words(span)} up to the as-of date; spend and buyers by calendar quarter need a full year ({seasons.YEAR_DAYS} days), so that each quarter is counted once"
            return
        if not len(buyers.day) or int(buyers.day.min()) > as_of:  # no purchase by the as-of date
            return
        group, keys = _segment_of_each(buyers, seg, now)
        per_segment, everyone = seasons.by_quarter(buyers, as_of, group, len(keys), self.has_amounts)
        first, last = seasons.window(as_of)
        self.seasonality = DataSeasonality(**_season(seasons.figures(everyone, 0)), window_start=from_day(first), window_end=from_day(last), window_days=seasons.YEAR_DAYS)
        for i, key in enumerate(keys):
            seg.segments[key].seasonality = Seasonality(**_season(seasons.figures(per_segment, i)))

    def recent_revenue(self, buyers: Ledger, as_of: int, span: int, seg: Segmentation, now: Scoring) -> None:
        """Each RFM segment's spend in the 365 days up to the as-of date and its share of them
        (every day of data shorter than that, said so): revenue_share over all the data told a
        fashion brand that Dormant held 79.8% of revenue, where the last year gave it 42.7%."""
        if not self.has_amounts:
            return
        recent = _annual(buyers, now.metrics)  # spend in the 365 days up to the as-of date, per customer
        sums = np.bincount(now.index(seg.order), weights=recent, minlength=len(seg.order))
        total = float(sums.sum())
        days = min(span, seasons.YEAR_DAYS)
        for i, key in enumerate(seg.order):
            seg.segments[key].recent_revenue = round(float(sums[i]), 2)
            seg.segments[key].recent_revenue_share = round(float(sums[i]) / total, 6) if total > 0 else None
        seg.recent_revenue_window = RecentRevenueWindow(from_day(as_of - days + 1), from_day(as_of), days, span < seasons.YEAR_DAYS, round(total, 2))

    def refunds_by_segment(self, buyers: Ledger, as_of: int, last_day: int, seg: Segmentation, now: Scoring) -> None:
        """Each RFM segment's orders refunded in full or in part, and what was paid back of what
        they were charged, on an export that records refunds. Orders refunded in full are dropped
        before segmenting (reason 'refunded') but counted per customer by identity, as the health
        score counts them (``ds.issues``); said why not where the export records no refunds."""
        ds = self.ds
        tx = ds.transactions
        if tx is None or "refunded" not in tx:
            if ds.source == "transactions":
                why = ("a transaction log records a return as a row of its own (a negative amount), not as a refund of an order, so no order is known to be refunded; "
                       "--net-returns takes returns off the customer's earlier purchases and --exclude-returns leaves them out")
            else:
                why = "the export has no refunded-amount column (such as Shopify's Refunded Amount or Stripe's Amount Refunded), so nothing says which orders were refunded"
            self.unavailable["refunds"] = why
            return
        full, full_charged, full_value = _full_refunds(ds, buyers)
        if as_of < last_day and full.any():
            self.unavailable["refunds"] = ("the run's as-of date is before the data's end, and orders refunded in full are counted per customer over the whole export (as the health score counts them), "
                                           "not by date: refunds up to the as-of date cannot be told apart from later ones")
            return
        day = to_days(tx["date"].to_numpy())
        upto = day <= as_of
        code = customer_codes(tx["customer_id"], buyers.ids)[upto]
        refunded = tx["refunded"].to_numpy(dtype=float)[upto]
        charged = np.nan_to_num(tx["amount"].to_numpy(dtype=float)[upto]) + refunded
        size = len(buyers.ids)
        part = np.bincount(code, weights=(refunded >= 0.005).astype(float), minlength=size)
        paid_back = np.bincount(code, weights=refunded, minlength=size) + full_value
        charged = np.bincount(code, weights=charged, minlength=size) + full_charged
        m = now.metrics
        idx = now.index(seg.order)
        width = len(seg.order)
        per = {name: np.bincount(idx, weights=values[m.code].astype(float), minlength=width)
               for name, values in (("full", full), ("part", part), ("charged", charged), ("refunded", paid_back))}
        per["orders"] = np.bincount(idx, weights=m.orders.astype(float), minlength=width)
        for i, key in enumerate(seg.order):
            seg.segments[key].refunds = _refund_figures(*(per[k][i] for k in ("orders", "full", "part", "charged", "refunded")))
        whole = _refund_figures(*(per[k].sum() for k in ("orders", "full", "part", "charged", "refunded")))
        mapping = ds.mapping
        converted = "converted_refunded" in mapping and "converted_amount" in mapping and any(CONVERTED_NOTE == n for n in ds.notes)
        amount, back = (mapping.get("converted_amount"), mapping.get("converted_refunded")) if converted else (mapping.get("amount"), mapping.get("refunded"))
        columns = f"{amount} and {back}" if amount and back else ""
        self.extra_coverage["refunds"] = DataRefunds(
            **dataclasses.asdict(whole),
            columns=columns,
            definition=(
                "the segmented customers' orders up to the as-of date: their kept orders and their orders refunded in full, which are left out before segmenting "
                "(data.dropped_orders.refunded) but are still theirs by identity and counted per customer as the health score counts them; "
                "refunded_in_part: kept orders with a refund; orders_refunded_share: orders refunded in full or in part, of orders; "
                "refunded_value_share: what was paid back, of what those orders came to before refunds (charged_value). "
                "People none of whose orders was kept are in no segment and not counted here"
            ),
        )

    def products_bought(self, buyers: Ledger, as_of: int, seg: Segmentation | None, now: Scoring | None) -> None:
        """What every customer and each RFM segment bought, and which first purchases brought
        customers back (compute/products.py); said why not where the data names no products."""
        lines = self.ds.products
        if lines is None:
            self.unavailable["products"] = "the export names no products on its lines (such as Shopify's Lineitem name or a Description column), so nothing says what customers buy"
            return
        fold = self.ds.source == "shopify_orders"  # Lineitem name is 'Product - Variant'
        prepared = products.prepare(lines, buyers.ids, as_of, fold_variants=fold)
        if not len(prepared.product):
            self.unavailable["products"] = f"no kept order up to the as-of date names a product in {self.ds.mapping['product_name']}"
            return
        group, keys = _segment_of_each(buyers, seg, now)
        overall, per_segment = products.buyers_by_group(prepared, group, len(keys))
        named = overall >= products.MIN_BUYERS
        if not named.any():  # nothing to name: no table of products nobody could be told
            self.unavailable["products"] = f"no product in {self.ds.mapping['product_name']} was bought by {products.MIN_BUYERS} or more customers, and products fewer bought are never named"
            return
        slugs = products.keys_for(prepared.names)
        everyone = products.ranked(overall, named, products.TOP_OVERALL)
        for i, key in enumerate(keys):
            size = seg.segments[key].count
            if size:
                seg.segments[key].products = [ProductBuyers(**r) for r in products.rows(products.segment_products(per_segment[i], named, everyone), per_segment[i], size, prepared.names, slugs)]
        customers = int(np.count_nonzero(np.bincount(prepared.customer))) if len(prepared.customer) else 0
        days = products.first_and_second_days(buyers.until(as_of))  # each customer's first and second purchase day
        first, settled, rate = products.starters(prepared, *days, as_of, self.period, named, slugs, products.TOP_OVERALL)
        self.extra_coverage["products"] = DataProducts(
            column=self.ds.mapping["product_name"],
            products=int((overall > 0).sum()),
            named=int(named.sum()),
            min_buyers=products.MIN_BUYERS,
            customers=customers,
            top=[ProductBuyers(**r) for r in products.rows(everyone, overall, customers, prepared.names, slugs)],
            first_purchase=[FirstPurchaseProduct(**r) for r in first],
            starters_before_cutoff=settled,
            back_within_period_rate=rate,
            not_merchandise=prepared.not_merchandise,
            variants_folded=fold,
            **self.product_families(prepared, named, group, keys, seg, customers, days, as_of),
        )

    def customers_by_country(self, buyers: Ledger, as_of: int, seg: Segmentation | None, now: Scoring | None) -> None:
        """Where the RFM segments' customers are (compute/countries.py): every customer's country
        and each segment's; said why not where the export names no country, or only one."""
        orders = self.ds.countries
        column = country_column(self.ds.mapping)
        if orders is None or column is None:
            self.unavailable["countries"] = "the export names no country per order, such as Shopify's Shipping Country or a Country column, so nothing says where customers are"
            return
        if seg is None or now is None:
            return
        placed = countries.place(orders, buyers.ids, as_of)
        found = countries.figures(placed, now.metrics, self.has_amounts)
        if found is None:
            held = sorted({shown(str(placed.names[c]), placed.codes[c]) for c in placed.country[now.metrics.code] if c >= 0})
            where = f"every customer placed is in {held[0]}" if held else "no kept order up to the as-of date names a country"
            self.unavailable["countries"] = f"{where}, going by {column}: there is no abroad to compare with"
            return
        group, keys = _segment_of_each(buyers, seg, now)
        for key, mine in zip(keys, countries.by_segment(placed, now.metrics, group, len(keys), found["home"]["key"])):
            if mine is not None and seg.segments[key].count:
                seg.segments[key].countries = SegmentCountries(mine["customers"], mine["home_share"], mine["abroad_share"], [CountryShare(**c) for c in mine["top"]])
        self.extra_coverage["countries"] = DataCountries(
            column=column,
            definition=countries_definition(column, shown(found["home"]["name"], found["home"]["code"])),
            customers=found["customers"],
            without_country=found["without_country"],
            countries=found["countries"],
            home=CountryFigures(**found["home"]),
            abroad=AbroadFigures(**found["abroad"]),
            top=[CountryFigures(**r) for r in found["top"]],
        )

    def product_families(self, prepared: products.Lines, named: np.ndarray, group: np.ndarray, keys: list[str], seg: Segmentation | None, customers: int, days: tuple[np.ndarray, np.ndarray], as_of: int) -> dict:
        """Families of products (a word their names share): everyone's figures, and each RFM
        segment's buyers of them beside its products; the families left out by name, and how many
        there are in all (DataProducts' fields). ``days``: first_and_second_days."""
        found, left_out = products.family_figures(prepared, products.families(prepared.names, named), group, len(keys), *days, as_of, self.period)
        if not found:
            return {}
        slugs = products.keys_for(np.array([f["word"] for f in found], dtype=object))
        for i, key in enumerate(keys):
            size = seg.segments[key].count
            if size:
                seg.segments[key].product_families = [ProductBuyers(slug, f["word"], int(f["by_group"][i]), round(f["by_group"][i] / size, products.DIGITS)) for slug, f in zip(slugs, found)]
        listed = [ProductFamily(slug, f["word"], f["products"], f["buyers"], round(f["buyers"] / customers, products.DIGITS) if customers else 0.0,
                                f["starters"], f["starters_before_cutoff"], f["back_within_period_rate"]) for slug, f in zip(slugs, found)]
        return {"families": listed, "families_found": len(found) + len(left_out), "families_left_out": left_out[: products.MAX_FAMILY_NAMES]}

    def censoring_caveats(self, first_day: int, as_of: int, cutoff: int, span: int, history: bool, verb: str) -> None:
        """What a short export does to figures that count from its first day: tenure, and
        purchase counts that grow with the history behind them."""
        if span < 2 * 365 and "lifecycle" in self.segmentations:
            self.segmentations["lifecycle"].notes.append(
                f"tenure counts from the first {verb} in this data, which starts on {from_day(first_day)}: a customer who "
                f"{'was active' if verb == 'activity' else 'bought'} before then looks newer than they are"
            )
        earlier = cutoff - first_day + 1
        if history and earlier < 0.8 * span:
            self.warnings.append(
                f"trends compare {from_day(cutoff)} with {from_day(as_of)}, and the data held {earlier:,} days of {'activity' if verb == 'activity' else 'purchases'} at the earlier date against {span:,} now: "
                "segments that need many purchases (Champions, Loyal) grow partly because customers had more time to reach them, so read a 'growing' trend there with care"
            )

    # -- RFM -----------------------------------------------------------------------------------

    def rfm(self, ledger: Ledger, as_of: int, cutoff: int, history: bool, span: int, pool: ThreadPoolExecutor, makers: list | None):
        """The RFM segmentation; with ``makers``, a future of the other segmentations labelled
        on the same metrics (on ``pool``'s thread)."""
        # The earlier period's metrics are numpy work that releases the GIL: computed on a
        # second thread while the current period is measured and scored.
        earlier = pool.submit(customer_metrics, ledger, cutoff, self.period) if history else None
        m = customer_metrics(ledger, as_of, self.period)
        method, reason = rfm.choose_method(m, self.opts.method, span)
        now = self.score(m, method, reason)
        lapsed = float((now.scored.r == 1).mean()) if method == "fixed" and len(m) else 0.0
        newest = int(m.tenure.min()) if len(m) else 0
        if newest >= self.period:  # nobody is new: one cohort, or acquisition stopped
            first_from, first_to = from_day(as_of - int(m.tenure.max())), from_day(as_of - newest)
            self.warnings.append(
                f"no customer made a first purchase in the {days_words(newest)} before the as-of date: every first purchase falls between {first_from} and {first_to}, "
                "so the file follows one group of customers who joined then (or new customers stopped coming): nobody new joins, "
                "so the trends show this group ageing (declines are expected) rather than a change in the business"
            )
        if lapsed > rfm.AUTO_MAX_BAND_SHARE:
            self.warnings.append(f"{lapsed:.0%} of customers last bought over 180 days before the as-of date: most of this base is lapsed (--method quantile would rank customers against each other instead, calling the least lapsed recent)")
        mp = earlier.result() if earlier is not None else None
        usable_prev = mp if mp is not None and len(mp) >= MIN_CUSTOMERS else None
        others = pool.submit(lambda: [(kind, *self.labelled(make, m, usable_prev)) for kind, make, _ in makers]) if makers is not None else None
        table = now.assignment.table
        prev = None
        if usable_prev is not None:
            prev = self.score(mp, method, reason, table, now.assignment.table_reason, now.assignment.merged)
        keys = rfm.ordered_keys(table)
        now_idx = now.index(keys)
        prev_idx = prev.index(keys) if prev else None
        revenue_total = float(m.monetary.sum()) if self.has_amounts else None
        stats = analysis.segment_stats(now_idx, keys, m, self.has_amounts, revenue_total, bands=True)
        analysis.add_trend(stats, prev_idx, keys)
        migration = validation = history = history_everyone = None
        opportunities: list[dict] = []
        skipped: dict[str, int] | None = None
        period_revenue = None
        if prev is not None:
            _, window_spend = next_period(ledger, cutoff, as_of)
            mig = analysis.migration(prev.metrics.code, prev_idx, m.code, now_idx, keys, window_spend if self.has_amounts else None, WATCH)
            migration = Migration(from_day(cutoff), from_day(as_of), mig["customers_in_both"], mig["matrix"], mig["revenue"], mig["entered"], [Transition(**w) for w in mig["watch"]], f"customers who had bought by {from_day(cutoff)}, scored then and at {from_day(as_of)} with the same method and rules")
            if self.opts.validate:
                orders_next, spend_next = next_period(ledger, cutoff, cutoff + self.period)
                v = analysis.validation(prev.metrics.code, prev_idx, keys, orders_next, spend_next, self.has_amounts, held=holdout_marks(ledger.ids))
                validation = Validation(from_day(cutoff), from_day(cutoff + self.period), self.period, [ValidationRow(**r) for r in v.pop("segments")], inversions=[Inversion(**i) for i in v.pop("inversions")], **v, note=f"segments scored with data up to {from_day(cutoff)}, then checked against purchases in the next {self.period} days")
                for row in validation.segments:
                    stats[row.segment]["next_repeat_rate"] = row.repeat_rate
                history, history_everyone = self.segment_history(ledger, as_of, span, now, prev, validation, keys, orders_next, spend_next)
            prev_counts = dict(zip(keys, np.bincount(prev_idx, minlength=len(keys)).tolist()))
            period_revenue = round(float(window_spend.sum()), 2) if self.has_amounts else None
            opportunities = analysis.opportunities(mig["matrix"], prev_counts, stats, keys, currency=self.profile.currency, names={r.key: r.name for r in table.rules}, revenue=mig["revenue"], period_revenue=period_revenue)
            skipped = analysis.unsized_moves(mig["matrix"], prev_counts, stats, keys, revenue=mig["revenue"])
            note = analysis.opportunities_note(skipped, len(opportunities))
        else:
            why = self.unavailable.get("migration") or f"fewer than {MIN_CUSTOMERS} customers had bought by {from_day(cutoff)}"
            self.unavailable.setdefault("history", why)
            note = _no_migration_note(why)
        means = _mean_scores(now, now_idx, keys)
        rules = {r.key: r for r in table.rules}
        days = _recency_days(now.scored.scores)
        segments = {k: SegmentStats(k, rules[k].name, rules[k].description, rules[k].describe(days), **stats[k], mean_scores=means[k]) for k in keys}
        seg = Segmentation(
            kind="rfm",
            method=method,
            method_reason=now.scored.method_reason,  # with what scoring had to say (one recency scored by the calendar)
            definition={"frequency": "distinct purchase days", "recency": "days from the last purchase to the as-of date", "monetary": _monetary_definition(self.ds) if self.has_amounts else "not scored: the data has no amounts", "rule_table": table.name, "rule_table_reason": now.assignment.table_reason},
            order=keys,
            segments=segments,
            customers=len(m),
            trend_threshold=analysis.TREND_THRESHOLD if prev else None,
            trend_basis=_trend_basis(self.shares_of(on_purchases=True)) if prev else None,
            opportunity_basis=analysis.OPPORTUNITY_BASIS.format(analysis.MIN_MOVE_RATE, analysis.MIN_MOVED) if prev else None,
            scores={d: _score_dict(s) for d, s in now.scored.scores.items()},
            rules=table.to_dict(days),
            merged=now.assignment.merged,
            similar_pairs=rfm.similar_pairs(stats, keys),
            migration=migration,
            validation=validation,
            history=history,
            history_everyone=history_everyone,
            history_definition=self.history_definition(table.name, method) if history else None,
            opportunities=[Opportunity(**o) for o in opportunities],
            opportunities_note=note,
            opportunities_skipped=skipped,
            period_revenue=period_revenue,
        )
        if len([k for k in keys if stats[k]["count"]]) > 6:
            self.warnings.append("more than 6 segments hold customers: consider a smaller rule table")
        cycle = analysis.cycle_warning(keys, stats, {r.key: r.name for r in table.rules}, _rule_window(rules.get(analysis.AT_RISK), days), mig["matrix"] if prev is not None else None, self.period, {r.key for r in table.rules if "r" in r.when})
        if cycle:
            self.warnings.append(cycle)
        return seg, now, prev, others

    def segment_history(self, ledger: Ledger, as_of: int, span: int, now: Scoring, prev: Scoring, validation: Validation, keys: list[str],
                        orders_next: np.ndarray, spend_next: np.ndarray) -> tuple[dict[str, dict[str, HistoryRow]] | None, dict[str, HistoryRow] | None]:
        """Each segment's next-period behaviour at successive cutoffs, the as-of date minus 1, 2,
        ... periods (newest first): customers scored at each as validation scores them at the
        first (same method, rule table and merges), then what they did in the period after. The
        first cutoff's figures are validation's; the others' metrics come from one reading of
        the ledger (metrics_at). None, with facts.unavailable.history saying why, where the data
        holds fewer than two such cutoffs or too many customers. Beside it, everyone's row at each
        cutoff (every customer who had bought by then, whatever their segment: a segment's rate
        that falls with everyone's is the season or the whole shop); ``orders_next`` and
        ``spend_next`` are validation's, the newest cutoff's period."""
        period = self.period
        if span < 3 * period:
            self.unavailable["history"] = (f"the data covers {days_words(span)} up to the as-of date, less than three {period}-day periods: "
                                           "a history needs two cutoffs or more, each with a period of data before it and the period after it to check")
            return None, None
        if len(now.metrics) > HISTORY_MAX_CUSTOMERS:
            self.unavailable["history"] = (f"{len(now.metrics):,} customers, over the {HISTORY_MAX_CUSTOMERS:,} up to which the history is computed: it scores every customer again "
                                           f"at up to {HISTORY_CUTOFFS} earlier dates, seconds of work at this size; validation gives the latest cutoff's figures")
            return None, None
        first_day = as_of - span + 1
        cutoffs = [c for k in range(2, HISTORY_CUTOFFS + 1) if (c := as_of - k * period) - first_day + 1 >= period]
        history = {validation.cutoff: {r.segment: HistoryRow(r.customers, r.repeat_rate, r.revenue_per_customer) for r in validation.segments}}
        everyone = {validation.cutoff: self.everyone_row(prev.metrics.code, orders_next, spend_next)}
        after = prev.metrics  # the customers at the next cutoff: what they had bought by the end of this cutoff's period
        table, table_reason, merged = now.assignment.table, now.assignment.table_reason, now.assignment.merged
        for cutoff, m in zip(cutoffs, metrics_at(ledger, cutoffs, period, spends=False)):
            if len(m) < MIN_CUSTOMERS:
                break
            scoring = self.score(m, now.scored.method, now.scored.method_reason, table, table_reason, merged)
            orders_next, spend_next = self.bought_between(ledger, m, after)
            v = analysis.validation(m.code, scoring.index(keys), keys, orders_next, spend_next, self.has_amounts)
            history[from_day(cutoff)] = {r["segment"]: HistoryRow(r["customers"], r["repeat_rate"], r["revenue_per_customer"]) for r in v["segments"]}
            everyone[from_day(cutoff)] = self.everyone_row(m.code, orders_next, spend_next)
            after = m
        if len(history) < 2:
            self.unavailable["history"] = f"fewer than {MIN_CUSTOMERS} customers had bought by {from_day(cutoffs[0]) if cutoffs else 'the second cutoff'}, so only validation's cutoff has segments to follow"
            return None, None
        return history, everyone

    def bought_between(self, ledger: Ledger, m: Metrics, after: Metrics) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's orders and spend between two cutoffs of the history: what they had by
        the later one (``after``) less what they had by the earlier (``m``), per ledger id."""
        orders_next = np.zeros(len(ledger.ids), dtype=np.int64)
        orders_next[after.code] = after.orders
        orders_next[m.code] -= m.orders
        spend_next = np.zeros(len(ledger.ids))
        if self.has_amounts:
            spend_next[after.code] = after.monetary
            spend_next[m.code] -= m.monetary
        return orders_next, spend_next

    def everyone_row(self, codes: np.ndarray, orders_next: np.ndarray, spend_next: np.ndarray) -> HistoryRow:
        """Every customer scored at a cutoff (``codes``): how many, the share who bought in the
        period after it, their mean spend then."""
        bought = orders_next[codes] > 0
        return HistoryRow(int(len(codes)), round(float(bought.mean()), 6), round(float(spend_next[codes].mean()), 2) if self.has_amounts else None)

    def history_definition(self, table: str, method: str) -> str:
        """segmentations.rfm.history_definition: what the history measures, in words."""
        p = self.period
        return (f"each segment at successive cutoffs, newest first: the as-of date minus 1, 2, ... periods of {p} days (at most {HISTORY_CUTOFFS}, each with at least a period of data before it); "
                f"at each, customers who had bought by then are scored with the data up to it by the same method ({method}) and rule table ({table}) as at the as-of date, small segments merged as there; "
                f"customers: the segment's customers at the cutoff; next_repeat_rate: the share of them who bought in the {p} days after it; "
                "revenue_per_customer: their mean spend in those days; the newest cutoff's figures are validation's; "
                "a segment with no customers at a cutoff has no row there. Compare one segment's next_repeat_rate at a cutoff before a date with its rate at one after to see whether it changed")

    def labelled(self, make: Callable[[Metrics], Labels], now: Metrics | None, prev: Metrics | None, amounts: bool = True) -> tuple[Segmentation | None, tuple | None]:
        """One segmentation from its labelling function, and its (customer codes, labels);
        ``amounts``: whether the metrics carry money (not an event log's activity)."""
        if now is None or len(now) == 0:
            return None, None
        lab = make(now)
        # Quantile tiers are relative to the base at each date, so their sizes barely move by
        # construction: a trend on them would say nothing.
        relative = lab.method == "spend_quantiles"
        prev_lab = make(prev).index if prev is not None and len(prev) and not relative else None
        if prev_lab is not None:  # kept for the usage groups' migration and next-period check
            self.prev_labels[lab.kind] = (prev.code, prev_lab)
        revenue_total = float(now.monetary.sum()) if self.has_amounts and amounts else None
        return self.segmentation_from_labels(lab, now, prev_lab, revenue_total, amounts), (now.code, lab)

    # -- customers.csv --------------------------------------------------------------------------

    def customer_rows(self, ledger: Ledger, s: Scoring) -> pd.DataFrame:
        m = s.metrics
        rules = s.assignment.table.rules
        segment = s.assignment.segment
        return pd.DataFrame({
            "customer_id": ledger.ids[m.code],
            "segment": pd.Categorical.from_codes(segment, [r.key for r in rules]),
            "segment_name": pd.Categorical.from_codes(segment, [r.name for r in rules]),
            "first_purchase": _dates(m.first),
            "last_purchase": _dates(m.last),
            "orders": m.orders,
            "purchase_days": m.purchase_days,
            "recency_days": m.recency,
            "tenure_days": m.tenure,
            "monetary_total": np.round(m.monetary, 2) if self.has_amounts else np.nan,
            "aov": np.round(m.aov, 2) if self.has_amounts else np.nan,
            "r_score": s.scored.r,
            "f_score": s.scored.f,
            "m_score": s.scored.m if self.has_amounts else pd.array([pd.NA] * len(m), dtype="Int8"),  # no amounts: not scored, left empty
            # everyone spent the same: a spend score would rank nobody, so the reason leaves spend out
            "reason": reasons(m.recency, m.purchase_days, s.scored.m if self.has_amounts and _spread(m.monetary) else None),
        })

    def attach_other_labels(self, customers: pd.DataFrame, activity: Ledger, buyers: Ledger) -> pd.DataFrame:
        """Add lifecycle, value, health (and behavior) columns, aligned by customer."""
        columns = {"lifecycle": "lifecycle", "value": "value_tier", "health": "health_band", "behavioral": "behavior"}
        if self.ds.kind == "transactions":
            # One ledger: every segmentation covers the same customers in the same (code) order.
            for kind, (codes, lab) in self.labels_cache.items():
                customers[columns[kind]] = pd.Categorical.from_codes(lab.index, lab.keys)
                for name, values in lab.extra.items():
                    customers[name] = values
            return customers
        frames = []
        for kind, (codes, lab) in self.labels_cache.items():
            ids = (buyers if kind == "value" else activity).ids[codes]
            part = pd.DataFrame({"customer_id": ids, columns[kind]: lab.label})
            for name, values in lab.extra.items():
                part[name] = values
            frames.append(part.set_index("customer_id"))
        extra = pd.concat(frames, axis=1) if frames else pd.DataFrame()
        if customers.empty:
            return extra.rename_axis("customer_id").reset_index()
        out = customers.set_index("customer_id").join(extra, how="outer")
        return out.rename_axis("customer_id").reset_index()


class _CustomerTable(_Base):
    """One row per customer with totals (CRM, Shopify customers export): a snapshot."""

    @property
    def has_amounts(self) -> bool:
        return "spent" in self.ds.customers

    def live_but_quiet(self, status: AccountStatus, recency: np.ndarray, undated: np.ndarray) -> None:
        """Warn when many live accounts look lapsed to RFM (no recent order on record)."""
        lapse = LAPSED_FROM["purchase"]
        live = int(status.live.sum())
        quiet = int((status.live & ~undated & (recency >= lapse)).sum())
        if live and quiet >= 0.1 * live:
            self.warnings.append(
                f"{quiet:,} of the {live:,} accounts whose {status.column} says they are live have no order in {lapse}+ days, so RFM places them with "
                "the lapsed segments: for a subscription billed automatically the last order date may not be the last payment; the lifecycle keeps live "
                "accounts out of Lapsed, so plan churn work on the lifecycle and health segments and read RFM recency as the last purchase on record"
            )

    def run(self) -> tuple[Facts, pd.DataFrame]:
        table = self.ds.customers[~self.ds.customers["prospect"]].reset_index(drop=True)
        if len(table) < MIN_CUSTOMERS:
            raise InputError(_label(self.ds), f"only {len(table)} customers who bought: at least {MIN_CUSTOMERS} are needed to segment")
        last = _day_col(table, "last_order")
        first = _day_col(table, "first_order")
        first = np.where(np.isnan(first), _day_col(table, "signup"), first)
        known = last[~np.isnan(last)]
        as_of = parse_as_of(self.opts.as_of) if self.opts.as_of else int(known.max()) if len(known) else None
        for kind in ("migration", "validation", "history", "seasonality"):
            self.unavailable[kind] = "needs transactions over time; a customer table is one snapshot"
        self.unavailable["refunds"] = "a customer table holds totals per customer, not their orders, so nothing says which orders were refunded"
        n = len(table)
        undated = np.isnan(last)
        orders = table["orders"].fillna(0).to_numpy(dtype=np.int64) if "orders" in table else np.ones(n, dtype=np.int64)
        spent = table["spent"].fillna(0).to_numpy(dtype=float) if "spent" in table else np.zeros(n)
        mrr = table["mrr"].fillna(0).to_numpy(dtype=float) if "mrr" in table else None
        status = _account_status(table, self.ds.mapping)
        ended = status.ended if status is not None else np.zeros(n, dtype=bool)
        # Distinct purchase days: the orders count, at least 1 where a date or a spend says the
        # account bought, and 0 for an account with no order on record (a subscription paying
        # MRR whose orders the CRM does not hold).
        purchase_days = np.where(orders > 0, orders, np.where(~undated | (spent > 0), 1, 0)).astype(np.int64)
        # A live subscription (MRR above 0, its status not ended) with no order date: RFM cannot
        # score the recency of an order that is not on record, so it is not scored (not called
        # Dormant) and sits in the rule table's catch-all.
        unscored = undated & (mrr > 0) & ~ended if mrr is not None else np.zeros(n, dtype=bool)
        recency = np.zeros(n, dtype=np.int64)
        if as_of is not None:
            # No last-order date: scored as the least recent customer seen, and said so.
            oldest = np.nanmin(last) if len(known) else as_of
            recency = (as_of - np.where(undated, oldest, last)).astype(np.int64)
            missing = int((undated & ~unscored).sum())
            if missing:
                self.notes.append(f"{missing:,} customers have no last order date: they are scored as the least recent")
        tenure = (as_of - np.where(np.isnan(first), as_of, first)).astype(np.int64) if as_of is not None else np.zeros(n, dtype=np.int64)
        zeros = np.zeros(n)
        m = Metrics(np.arange(n), np.nan_to_num(first).astype(np.int64), np.nan_to_num(last).astype(np.int64), orders, purchase_days, spent, recency, tenure, zeros, zeros, zeros.astype(np.int64), zeros.astype(np.int64), as_of or 0, 0,
                    dated=~np.isnan(first) & ~np.isnan(last))
        ids = table["customer_id"].to_numpy(dtype=object)
        revenue_total = float(spent.sum()) if self.has_amounts else None
        customers = pd.DataFrame({"customer_id": ids})
        placed: dict[str, np.ndarray] = {}  # segmentation -> each customer's position in its order
        scored_rows = ~unscored
        if "rfm" in self.profile.methods and as_of is not None and scored_rows.sum() < MIN_CUSTOMERS:
            self.unavailable["rfm"] = f"only {int(scored_rows.sum())} customers have an order on record to score"
        elif "rfm" in self.profile.methods and as_of is not None:
            # Scores, the rule table and merges come from the accounts with an order on record.
            ms = _subset(m, scored_rows)
            method, reason = rfm.choose_method(ms, self.opts.method, self.profile.days_covered or 0)
            s = self.score(ms, method, reason)
            keys = rfm.ordered_keys(s.assignment.table)
            home = _catch_all(s.assignment)
            idx = np.full(n, keys.index(home), dtype=np.int16)
            idx[scored_rows] = s.index(keys)
            placed["rfm"] = idx
            stats = analysis.segment_stats(idx, keys, m, self.has_amounts, revenue_total)
            rules = {r.key: r for r in s.assignment.table.rules}
            means = _mean_scores(s, idx[scored_rows], keys)
            definition = {"frequency": "orders count column", "recency": "days from the last order date to the as-of date", "monetary": "total spent column", "rule_table": s.assignment.table.name, "rule_table_reason": s.assignment.table_reason}
            notes = []
            if unscored.any():
                count = int(unscored.sum())
                said = f"{count:,} live {'subscription' if count == 1 else 'subscriptions'} (MRR above 0, {self.ds.mapping.get('status', 'status')} not ended) with no last order date"
                definition["no_order_on_record"] = (
                    f"{said} are not scored: RFM cannot score the recency of an order that is not on record, and missing order data is no sign of lapsing. "
                    f"They sit in {rules[home].name}, the rule table's catch-all, and are left out of the score cut points, merges and mean scores; "
                    "their r_score, f_score and m_score are empty in customers.csv"
                )
                notes.append(f"{said} are in {rules[home].name} (the catch-all), not scored: {count:,} of its {stats[home]['count']:,} customers")
            self.segmentations["rfm"] = Segmentation(
                "rfm", method, reason, definition,
                keys, {k: SegmentStats(k, rules[k].name, rules[k].description, rules[k].describe(_recency_days(s.scored.scores)), **stats[k], mean_scores=means[k]) for k in keys}, n, notes=notes,
                scores={d: _score_dict(sc) for d, sc in s.scored.scores.items()}, rules=s.assignment.table.to_dict(_recency_days(s.scored.scores)), merged=s.assignment.merged, similar_pairs=rfm.similar_pairs(stats, keys),
                opportunities_note=_no_migration_note(self.unavailable["migration"]),
            )
            r_score, f_score, m_score = (_scattered(getattr(s.scored, d), scored_rows) for d in ("r", "f", "m"))
            reason = _undated_reasons(reasons(recency, purchase_days, m_score.fillna(1).to_numpy(), verb="ordered"), undated)
            if unscored.any():
                reason = np.asarray(reason, dtype=object).copy()
                reason[unscored] = _unscored_reasons(mrr[unscored], orders[unscored], status)
            customers = customers.assign(
                segment=np.array(keys, dtype=object)[idx], segment_name=np.array([rules[k].name for k in keys], dtype=object)[idx],
                first_purchase=_dates(m.first, np.isnan(first)), last_purchase=_dates(m.last, undated), orders=orders, purchase_days=purchase_days,
                recency_days=np.where(undated, np.nan, recency), tenure_days=tenure, monetary_total=np.round(spent, 2), aov=np.round(m.aov, 2),
                r_score=r_score, f_score=f_score, m_score=m_score, reason=reason,
            )
        if "value" in self.profile.methods:
            arr = table["arr"].fillna(0).to_numpy(dtype=float) if "arr" in table else spent
            lab = value_tiers(arr, spent if self.has_amounts else arr, "arr" in table)
            self.segmentations["value"] = self.segmentation_from_labels(lab, m, None, revenue_total)
            placed["value"] = lab.index
            customers["value_tier"] = lab.label
        if status is not None and as_of is not None and "rfm" in self.segmentations:
            self.live_but_quiet(status, recency, undated)
        if "lifecycle" in self.profile.methods and as_of is not None:
            lab = lifecycle(tenure, np.where(undated, 0, recency), LAPSED_FROM["purchase"], "order", status)
            self.segmentations["lifecycle"] = self.segmentation_from_labels(lab, m, None, revenue_total)
            placed["lifecycle"] = lab.index
            customers["lifecycle"] = lab.label
        if "health" in self.profile.methods and as_of is not None:
            failed = table["failed_payments"].fillna(0).to_numpy(dtype=float) if "failed_payments" in table else None
            # No order date: no recency; no order on record at all: no frequency either.
            comps, desc = components_from_metrics(m, failed, None, known={"recency": ~undated, "frequency": purchase_days > 0})
            lab = health(comps, desc, status=status, missing_words="an account with no last order date has no recency, and one with no order on record (orders 0) no frequency either")
            self.segmentations["health"] = self.segmentation_from_labels(lab, m, None, revenue_total)
            placed["health"] = lab.index
            customers["health_band"] = lab.label
            customers["health_score"] = lab.extra["health_score"]
        for kind, idx in placed.items():
            seg = self.segmentations[kind]
            # Medians of days since the last order count the accounts that have an order date.
            medians = analysis.group_medians(idx[~undated], recency[~undated], len(seg.order))
            for i, k in enumerate(seg.order):
                seg.segments[k].median_recency_days = float(medians[i]) if as_of is not None and not np.isnan(medians[i]) else None
        if mrr is not None:
            self.add_mrr(mrr, ended, placed)
        if "status" in table:
            self.extra_coverage["prospects_by_status"] = _prospects_by_status(self.ds.customers)
        # the table's contacts are every row's, those who never bought with them
        never = self.ds.customers.loc[self.ds.customers["prospect"], "customer_id"]
        theirs = self.ds.contacts[self.ds.contacts["customer_id"].isin(set(never))] if "customer_id" in self.ds.contacts else None
        self.extra_coverage["contacts"] = contacts_by_purchase(self.ds.contacts, ids, theirs, len(never))
        if as_of is None:  # no dates at all: recency figures would be zeros, not facts
            for seg in self.segmentations.values():
                for stats in seg.segments.values():
                    stats.median_recency_days = None
        if len(customers) and (marks := holdout_marks(customers["customer_id"])) is not None:
            customers["holdout"] = marks
        return self.facts(as_of), customers

    def add_mrr(self, mrr: np.ndarray, ended: np.ndarray, placed: dict[str, np.ndarray]) -> None:
        """MRR of the live accounts (status not ended), in all and per segment of each segmentation."""
        live_mrr = np.where(ended, 0.0, mrr)
        total = float(live_mrr.sum())
        self.extra_coverage["mrr_total"] = round(total, 2)
        for kind, idx in placed.items():
            seg = self.segmentations[kind]
            sums = np.bincount(idx, weights=live_mrr, minlength=len(seg.order))
            for i, k in enumerate(seg.order):
                seg.segments[k].mrr = round(float(sums[i]), 2)
                seg.segments[k].mrr_share = round(float(sums[i]) / total, 6) if total else None


# -- helpers -------------------------------------------------------------------------------------


def _account_status(table: pd.DataFrame, mapping: dict[str, str]) -> AccountStatus | None:
    """A CRM's status column read as ended / live accounts; None without one (or when no value is either)."""
    if "status" not in table:
        return None
    ended, live, ended_values, live_values = status_kinds(table["status"])
    if not (ended.any() or live.any()):
        return None
    return AccountStatus(mapping.get("status", "status"), ended, live, ended_values, live_values)


def _subset(m: Metrics, rows: np.ndarray) -> Metrics:
    """The metrics of some customers (a boolean mask), codes renumbered from 0."""
    if rows.all():
        return m
    values = {f.name: getattr(m, f.name) for f in dataclasses.fields(m)}
    out = {k: (v[rows] if isinstance(v, np.ndarray) else v) for k, v in values.items()}
    out["code"] = np.arange(int(rows.sum()))
    return Metrics(**out)


def _catch_all(assignment: rfm.Assignment) -> str:
    """The key of the segment that holds the rule table's catch-all customers (after merges)."""
    key = next(r.key for r in reversed(assignment.table.rules) if r.catch_all)
    into = {mg["from"]: mg["into"] for mg in assignment.merged}
    while key in into:
        key = into[key]
    return key


def _scattered(scores: np.ndarray, rows: np.ndarray) -> pd.Series:
    """Scores of the scored rows at their places, empty (NA) elsewhere."""
    values = np.zeros(len(rows), dtype=np.int8)
    values[rows] = scores
    return pd.Series(pd.arrays.IntegerArray(values, ~rows))


def _spread(values: np.ndarray) -> bool:
    """Whether the values differ by a cent or more (as amounts are shown); no copy of them."""
    return bool(len(values)) and bool(np.nanmax(values) - np.nanmin(values) >= 0.005)


def _unscored_reasons(mrr: np.ndarray, orders: np.ndarray, status: AccountStatus | None) -> np.ndarray:
    """The reason of each unscored account (``mrr`` and ``orders`` of those accounts only)."""
    live = "a live subscription" if status is not None else "a subscription"
    return np.array([f"{live} ({v:,.2f} MRR) with no order {'' if o == 0 else 'date '}on record: RFM cannot score its recency" for v, o in zip(mrr, orders)], dtype=object)


def contacts_by_purchase(contacts: pd.DataFrame, buyer_ids, prospect_contacts: pd.DataFrame | None, prospects: int) -> DataContacts:
    """The buyers (``buyer_ids``: the customers segmented, as data.customers counts them) and the
    contacts who never bought, each by marketing consent, with the shares a hunch such as
    'most of our sign-ups never buy' is answered from: a trial could cite only 1,198 never-buyers
    against 272 buyers, opted-out contacts included, where 848 against 194 could be emailed."""
    buyers = _consent_group(consent_counts(contacts, buyer_ids), len(buyer_ids))
    never = _consent_group(consent_counts(prospect_contacts), prospects)
    everyone, subscribed = buyers.people + never.people, buyers.opted_in + never.opted_in
    return DataContacts(
        buyers=buyers,
        prospects=never,
        opted_in=subscribed,
        prospects_share=round(never.people / everyone, 6) if everyone else None,
        opted_in_prospects_share=round(never.opted_in / subscribed, 6) if subscribed else None,
    )


def _consent_group(counts: dict[str, int], people: int) -> ContactConsent:
    return ContactConsent(people=people, **counts, opted_in_share=round(counts["opted_in"] / people, 6) if people else None)


def _prospects_by_status(customers: pd.DataFrame) -> dict[str, int]:
    """The rows no spend, orders or MRR made customers, by their status value."""
    status = pd.Series(customers.loc[customers["prospect"], "status"], dtype=object).fillna("not stated").astype(str).str.strip()
    return {str(k): int(v) for k, v in status.value_counts().sort_index().items()}


def _label(ds: Dataset) -> str:
    return ", ".join(f.path for f in ds.files)


def _segment_of_each(buyers: Ledger, seg: Segmentation | None, now: Scoring | None) -> tuple[np.ndarray, list[str]]:
    """Each buyer's RFM segment at the as-of date as an index into the segments' keys (best
    first), -1 for none; and those keys (none without RFM segments)."""
    group = np.full(len(buyers.ids), -1, dtype=np.int64)
    if seg is None or now is None:
        return group, []
    group[now.metrics.code] = now.index(seg.order)
    return group, seg.order


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """Day numbers as an Arrow date column: written as YYYY-MM-DD, empty where missing."""
    import pyarrow as pa

    values = pa.array(days.astype(np.int32), type=pa.int32(), mask=missing).cast(pa.date32())
    return pd.Series(pd.arrays.ArrowExtensionArray(values))


def _day_col(table: pd.DataFrame, col: str) -> np.ndarray:
    if col not in table:
        return np.full(len(table), np.nan)
    values = table[col]
    out = np.full(len(table), np.nan)
    ok = values.notna().to_numpy()
    out[ok] = to_days(values[ok].to_numpy())
    return out


def _undated_reasons(reason, undated: np.ndarray):
    """A customer-table row without a last order date is scored as the least recent; its
    reason says that, not 'last ordered 1,393 days ago' (a date it never had)."""
    if not undated.any():
        return reason
    return pd.Series(np.asarray(reason, dtype=object)).where(~undated, "no last order date in the export: scored as the least recent").to_numpy()


def _monetary_definition(ds: Dataset) -> str:
    if ds.dropped.get("returned"):  # --exclude-returns: the sales stay, their returns went
        return "revenue per customer up to the as-of date, before returns (orders with a negative amount were left out)"
    if ds.returns_netted or ds.dropped.get("return_without_sale"):
        return "net revenue per customer up to the as-of date, each return taken off the customer's latest earlier purchase (what it exceeds that by, off the ones before it), never below zero"
    return "net revenue per customer up to the as-of date"


def _mean_scores(s: Scoring, idx: np.ndarray, keys: list[str]) -> dict[str, dict[str, float]]:
    counts = np.bincount(idx, minlength=len(keys))
    scored = ("r", "f", "m") if s.scored.scores["monetary"].method != "none" else ("r", "f")  # no amounts: no M to average
    sums = {d: np.bincount(idx, weights=getattr(s.scored, d).astype(float), minlength=len(keys)) for d in scored}
    return {k: {d: round(float(sums[d][i] / counts[i]), 2) if counts[i] else None for d in sums} for i, k in enumerate(keys)}


def _rule_window(rule, days: dict[int, tuple[int, int | None]] | None) -> tuple[int, int | None] | None:
    """The days since the last purchase a rule's recency scores cover (At Risk's 91-180), or None."""
    if rule is None or not days or "r" not in rule.when:
        return None
    low, high = rule.when["r"]
    if low not in days or high not in days:
        return None
    return days[high][0], days[low][1]


def _recency_days(scores: dict) -> dict[int, tuple[int, int | None]] | None:
    """Per recency score, the days since the last purchase it covers: segment rules state them,
    so that RFM's Dormant (recency scores) and the lifecycle's Lapsed (days) can be told apart."""
    recency = scores.get("recency")
    return recency_days(recency.bands) if recency is not None and recency.bands else None


def _score_dict(score) -> dict:
    return {"method": score.method, "cuts": score.cuts, "bands": score.bands, "higher_is_better": score.higher_is_better}


def _activity_ledger(ds: Dataset) -> Ledger:
    ev = ds.events[["customer_id", "date"]].copy()
    ev["amount"] = np.nan
    return Ledger.from_frame(ev)


@dataclass
class AccountEvents:
    """An event log's events that end or (re)start an account, in time order, on the activity
    ledger's customer codes."""

    code: np.ndarray
    day: np.ndarray
    ended: np.ndarray  # True where the event ends an account
    ended_names: list[str]
    started_names: list[str]

    def state(self, as_of: int, customers: int) -> np.ndarray:
        """Per customer code: 1 when its last such event by ``as_of`` ended the account, 0 when
        it (re)started it, -1 without one."""
        held = self.day <= as_of
        latest_first = self.code[held][::-1]
        codes, first = np.unique(latest_first, return_index=True)
        out = np.full(customers, -1, dtype=np.int8)
        out[codes] = self.ended[held][::-1][first]
        return out


def _billing_cycles(ds: Dataset, ledger: Ledger) -> np.ndarray | None:
    """Per customer code of ``ledger``: the billing cycle its subscription payments show (0
    unknown); None without subscription payments. Read from all the data: a plan's cycle does
    not change with the date it is scored at."""
    tx = ds.transactions
    if tx is None or "recurring" not in tx or not tx["recurring"].any():
        return None
    billed = tx[tx["recurring"].to_numpy(dtype=bool)]
    code = ledger.ids.get_indexer(billed["customer_id"].astype(object))
    day = to_days(billed["date"].to_numpy())
    pairs = np.unique(np.stack([code, day]), axis=1)  # one payment day per customer and day
    cycles = billing_cycles(pairs[0], pairs[1], len(ledger.ids))
    if "plan_cycle" in billed:  # a plan name that states the cycle wins over the gaps: the latest payment's plan
        stated = billed["plan_cycle"].to_numpy() > 0
        latest = pd.DataFrame({"code": code[stated], "day": day[stated], "cycle": billed["plan_cycle"].to_numpy()[stated]}).sort_values(["code", "day"]).drop_duplicates("code", keep="last")
        cycles[latest["code"].to_numpy()] = latest["cycle"].to_numpy()
    return cycles


def _subscriptions(ds: Dataset, ledger: Ledger) -> AccountEvents | None:
    table = ds.subscriptions
    if table is None or not len(table):
        return None
    code = pd.Index(ledger.ids).get_indexer(table["customer_id"])
    found = code >= 0  # every user with events is on the activity ledger
    ended = table["ended"].to_numpy(dtype=bool)
    names = table["event"].astype(str)
    return AccountEvents(code[found].astype(np.int64), to_days(table["date"].to_numpy())[found], ended[found], list(dict.fromkeys(names[ended])), list(dict.fromkeys(names[~ended])))


def _ended_by_events(events: AccountEvents, m: Metrics) -> AccountStatus:
    """The users of ``m`` whose last event that ends or starts an account, by ``m.as_of``, ended it."""
    mask = events.state(m.as_of, int(m.code.max()) + 1 if len(m.code) else 0)[m.code] == 1
    return AccountStatus("event", mask, np.zeros(len(mask), dtype=bool), events.ended_names, [], ended_by=f"last event ending or starting an account, by the as-of date, ended it ({', '.join(events.ended_names)})")


def _active_days(ledger: Ledger, m: Metrics, days: int) -> np.ndarray:
    window = (ledger.day > m.as_of - days) & (ledger.day <= m.as_of)
    first_of_day = np.ones(len(ledger.day), dtype=bool)
    first_of_day[1:] = (ledger.code[1:] != ledger.code[:-1]) | (ledger.day[1:] != ledger.day[:-1])
    counts = np.bincount(ledger.code[window & first_of_day], minlength=len(ledger.ids))
    return counts[m.code]


def _annual(ledger: Ledger, m: Metrics) -> np.ndarray:
    """Revenue in the 365 days up to the as-of date: the ARR proxy for subscriptions."""
    _, spend = next_period(ledger, m.as_of - 365, m.as_of)
    return spend[m.code]


def _per_customer(issues: pd.DataFrame, ledger: Ledger, columns: tuple[str, ...]) -> list[np.ndarray]:
    """Columns of the per-identity issues table (ingest's: failed payments, orders refunded in
    full) as arrays over the ledger's customer codes, 0 for a customer without any."""
    pos = pd.Index(ledger.ids).get_indexer(issues["customer_id"])
    ok = pos >= 0
    out = []
    for column in columns:
        values = np.zeros(len(ledger.ids))
        if column in issues:
            np.add.at(values, pos[ok], issues[column].to_numpy(dtype=float)[ok])
        out.append(values)
    return out


def _issues(ds: Dataset, ledger: Ledger):
    """Failed payments and orders refunded in full per customer code: the health score's payment issues."""
    if ds.issues is None or ds.issues.empty:
        return None
    failed, refunds = _per_customer(ds.issues, ledger, ("failed", "refunded"))
    return failed, refunds


def _full_refunds(ds: Dataset, ledger: Ledger) -> list[np.ndarray]:
    """Orders refunded in full per customer code, what they came to and what was paid back: the
    same per-identity count the health score reads (``_issues``), with the amounts beside it."""
    if ds.issues is None or ds.issues.empty:
        return [np.zeros(len(ledger.ids)) for _ in range(3)]
    return _per_customer(ds.issues, ledger, ("refunded", "refunded_charged", "refunded_value"))


def _refund_figures(orders: float, full: float, part: float, charged: float, refunded: float) -> Refunds:
    """A group's refund figures from its sums (``orders``: its kept orders, before adding those refunded in full)."""
    base = int(round(orders + full))
    return Refunds(
        orders=base,
        refunded_in_full=int(round(full)),
        refunded_in_part=int(round(part)),
        orders_refunded_share=round((full + part) / base, 6) if base else None,
        charged_value=round(float(charged), 2),
        refunded_value=round(float(refunded), 2),
        refunded_value_share=round(float(refunded) / float(charged), 6) if charged > 0 else None,
    )


def _take(issues, codes):
    if issues is None:
        return (None, None)
    return issues[0][codes], issues[1][codes]
