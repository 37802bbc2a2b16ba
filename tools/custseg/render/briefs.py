"""Phase briefs: the Jinja templates that walk a model through the four gated phases.

Each brief is rendered from facts.json (aggregates and pseudonymous ids only) plus the
user's answers so far, so the model reads computed numbers and never has to invent one.
Answers are the user's own words: they are passed to the templates as data and escaped
from template syntax, never compiled.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from custseg.compute.analysis import CYCLE_WARNING_START, TREND_MIN_CUSTOMERS
from custseg.compute.metrics import from_day
from custseg.facts import build
from custseg.ingest.clean import MIN_CUSTOMERS_TO_SEGMENT
from custseg.ingest.channels import APP_LABEL, MARKETPLACES, WHOLESALE
from custseg.render.exports import EXCLUDED_CHANNEL_ONLY_KEY, GENERIC_FILE, HUBSPOT_LAST_PURCHASE, KLAVIYO_LAST_PURCHASE, NEVER_PAID_KEY, NEVER_PAID_NAME, NO_KEPT_ORDER_KEY, NO_KEPT_ORDER_NAME, PROSPECT_KEY, PROSPECT_NAME
from custseg.render.report import DOMINANT_SHARE, LAST_PURCHASE_WORDS, MIN_CUSTOMERS_FOR_LIFT, SEGMENTATION_TITLES, SOURCE_LABELS, _channel_row, activity_basis, left_out_channels, after_as_of_text, base, buyers, data_age, day_bands, failed_payments_text, for_owner, make_environment, no_emails, quiet_segments, stale_label_words, unreachable_owers, value_tier_names
from custseg.strategy.channel_names import LABEL as CHANNEL_NAMES_LABEL, MAX_LENGTH as CHANNEL_NAME_LENGTH, answer_words, channel_names, shown
from custseg.strategy.groups import FIRST_ORDER_RATE, first_order_segment, plans_prospects
from custseg.strategy.intake import home_abroad_within_chance, hunch_answer
from custseg.strategy.kpis import partial_period, slow_enough_reviews
from custseg.strategy.definitions import describe, meets, segment_ranges
from custseg.strategy.pathways import NEW_KEY, reached_instead
from custseg.strategy.reach import unreachable_segments
from custseg.strategy.validate import ANSWERABLE, ANSWERED_BY, NAMES_OPTION, OPTIONS_LABEL as WARNINGS_LABEL, is_quiet

PHASES = ("intake", "segments", "strategy", "operationalize")
GATES = {
    "intake": "The user confirms what the file holds and the goal of segmenting.",
    "segments": "The user accepts the segments, or asks for a change (method, fewer segments, period) and you rerun run.py.",
    "strategy": "strategy.json passes check.py and the user approves the strategies.",
    "operationalize": "The deliverables are rendered and handed over.",
}
SEGMENT_FACTS = (
    "count", "pct_customers", "revenue_share", "recent_revenue_share", "recent_revenue", "avg_value", "aov", "median_recency_days", "repeat_rate", "median_gap_days", "trend", "next_repeat_rate",
    "mrr", "mrr_share", "active_days_30", "days_since_active",
)
DATA_LABEL = "Data"  # the intake question that asks whether the export is the whole customer base
TRIGGER_METRICS = ("recency_days", "purchase_days", "orders", "monetary_total", "aov", "tenure_days", "r_score", "f_score", "m_score", "health_score")



LONGER_PERIOD = 180  # the --period the strategy brief offers for a history that reaches further back


def history_reach(facts: dict) -> dict | None:
    """How far back the segment history can show a change since a date: its oldest cutoff, and
    the first day a change since which it can see (the oldest cutoff plus a period: a figure
    wholly before the date needs its cutoff a period before it); and the same at a --period of
    LONGER_PERIOD days, with the cutoffs facts.build would take there (as-of date minus 1, 2, ...
    periods, up to HISTORY_CUTOFFS, each with a period of data before it, three periods of data
    at least), or None there where the data is too short. None where the run has no history."""
    history = list((((facts.get("segmentations") or {}).get("rfm") or {}).get("history")) or {})
    period, as_of, first = facts.get("period_days"), facts.get("as_of"), (facts.get("data") or {}).get("date_min")
    if not history or not isinstance(period, int) or not as_of or not first:
        return None
    as_of, first = dt.date.fromisoformat(str(as_of)[:10]), dt.date.fromisoformat(str(first)[:10])
    oldest = dt.date.fromisoformat(min(history))
    span = (as_of - first).days + 1
    longer = None
    if LONGER_PERIOD > period and span >= 3 * LONGER_PERIOD:
        cutoffs = [c for k in range(1, build.HISTORY_CUTOFFS + 1) if (c := as_of - dt.timedelta(days=k * LONGER_PERIOD)) >= first + dt.timedelta(days=LONGER_PERIOD - 1)]
        if len(cutoffs) >= 2:
            longer = {"oldest": min(cutoffs).isoformat(), "seen_from": (min(cutoffs) + dt.timedelta(days=LONGER_PERIOD)).isoformat()}
    return {"oldest": oldest.isoformat(), "seen_from": (oldest + dt.timedelta(days=period)).isoformat(), "span": span,
            "longer_days": LONGER_PERIOD, "longer": longer, "further": bool(longer) and longer["seen_from"] < (oldest + dt.timedelta(days=period)).isoformat()}


def render_brief(
    phase: str, facts: dict, answers: dict | None = None, templates_dir: str | None = None, folder: str | None = None, segmentation: str | None = None
) -> str:
    """``folder``: where this run's facts.json is, named in the brief as the place for working files.
    ``segmentation``: the one the plan rests on (default: RFM, else the first)."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")
    env = make_environment(templates_dir)
    template = env.get_template(f"phase_{phase}.md.j2")
    return template.render(**context(phase, facts, answers or {}, segmentation), folder=folder)


def _spend_cutoffs(rfm: dict | None, active: list[str], value: dict | None) -> dict | None:
    """RFM segments named for their spend ('Recent Big Spenders': monetary 4-5) beside the
    value tiers' top tier: two 'big spender' cut-offs a trial could not tell apart. None
    unless the segments with anyone in them share one monetary range."""
    if not rfm or not value or "high" not in (value.get("segments") or {}):
        return None
    rules = {r.get("key"): r for r in (rfm.get("rules") or {}).get("segments") or [] if isinstance(r, dict)}
    named = [k for k in active if (k.endswith("high_value") or k == "best_customers") and isinstance((rules.get(k) or {}).get("when", {}).get("m"), list)]
    ranges = {tuple(rules[k]["when"]["m"]) for k in named}
    if len(ranges) != 1:
        return None
    low, high = ranges.pop()
    band = next((b for b in ((rfm.get("scores") or {}).get("monetary") or {}).get("bands") or [] if b.get("score") == low), None)
    if band is None or band.get("above") is None:
        return None
    tier = value["segments"]["high"]
    top = next((t for t in ((value.get("definition") or {}).get("tiers") or []) if isinstance(t, dict) and t.get("key") == "high"), {})
    if top.get("above") is not None and round(float(top["above"]), 2) == round(float(band["above"]), 2):
        return None  # one cut-off under two names: nothing to tell apart
    return {"segments": [rfm["segments"][k]["name"] for k in named], "scores": f"{low}-{high}" if low != high else str(low), "above": band["above"], "tier": tier.get("name"), "tier_rule": tier.get("rule")}


def context(phase: str, facts: dict, answers: dict, segmentation: str | None = None) -> dict[str, Any]:
    segs = facts.get("segmentations", {})
    primary = segmentation if segmentation in segs else "rfm" if "rfm" in segs else next(iter(segs), None)
    seg = segs.get(primary) if primary else None
    active = [k for k in (seg or {}).get("order", []) if seg["segments"][k]["count"]]
    owers_unreachable = unreachable_owers(facts)
    at_cutoff = {r.get("segment"): r.get("customers") or 0 for r in ((seg or {}).get("validation") or {}).get("segments") or []}
    names = channel_names(answers, facts)  # what the user calls the sales channels (answers.json), those that pass check.py's rules
    return {
        "phase": phase,
        "number": PHASES.index(phase) + 1,
        "gate": GATES[phase],
        "facts": facts,
        "data": facts["data"],
        "primary": primary,
        "seg": seg,
        "active": active,
        # what a segment without a written description is: its band of active days, else its rule
        "described": {k: v.get("description") or day_bands(seg.get("definition")).get(k) or v.get("rule") or "" for k, v in (seg or {}).get("segments", {}).items()},
        "has_next_period": any(seg["segments"][k].get("next_repeat_rate") is not None for k in active),
        # the segment history (RFM): its cutoffs, newest first, for a hunch of a change since a date
        "history": list((segs.get("rfm") or {}).get("history") or {}),
        "history_reach": history_reach(facts),
        "history_cutoffs": build.HISTORY_CUTOFFS,
        "history_example": next(iter(next(iter(((segs.get("rfm") or {}).get("history") or {}).values()), {})), None),  # a segment key at the newest cutoff
        "data_age_days": data_age(facts),
        # data shorter than a period: last-period figures count only the days it holds
        "partial_period": partial_period(facts["data"].get("days_covered"), facts.get("period_days")),
        # how often a next-period KPI may be reviewed (check.py refuses faster)
        "next_rate_reviews": slow_enough_reviews(facts.get("period_days")),
        # an as-of date before the file's end: the purchases after it, which no figure counts
        "after_as_of": after_as_of_text(facts["data"]),
        "today": from_day(build.today()),  # the clock the data's age is measured by
        # what an old export's file labels (RFM segments) get wrong, named from this run's segments
        "stale_labels": stale_label_words(segs.get("rfm")),
        "source_label": SOURCE_LABELS.get(facts["data"]["source"], facts["data"]["source"].replace("_", " ")),
        "empty_segments": _empty_segments(seg, active),
        # the run warnings a plan's `confirmed` may answer: only those this run gave
        "answerable": [k for k, pattern in ANSWERABLE.items() if any(pattern.search(w) for w in facts.get("warnings") or [] if isinstance(w, str))],
        "answered_by": ANSWERED_BY,  # the intake question whose answer settles each
        "spend_cutoffs": _spend_cutoffs(seg, active, segs.get("value")) if primary == "rfm" else None,
        # empty segments of customers who went quiet: on short data, nobody has been quiet that long yet
        "quiet_empty": [e["name"] for e in _empty_segments(seg, active) if not e["into"] and is_quiet(e["key"], e["name"])],
        # the segments of customers who went quiet that hold anyone, at risk first: the example win-back rule's
        "quiet_active": sorted(quiet_segments(seg), key=lambda k: k != "at_risk"),
        "prospect_key": PROSPECT_KEY,
        "prospect_name": PROSPECT_NAME,
        # a plan may plan for the prospects (strategy/groups.py): the segment a first order puts them in, or None
        "prospects_plan": {"first_order": first_order_segment(primary, (seg or {}).get("segments") or {}), "rate": FIRST_ORDER_RATE} if plans_prospects(facts) else None,
        "no_kept_order_key": NO_KEPT_ORDER_KEY,
        "no_kept_order_name": NO_KEPT_ORDER_NAME,
        "never_paid_key": NEVER_PAID_KEY,
        "never_paid_name": NEVER_PAID_NAME,
        "excluded_only_key": EXCLUDED_CHANNEL_ONLY_KEY,
        # --exclude-channel: 'orders through Honeycomb, left out at the user's request'
        "left_out_channels": left_out_channels(facts["data"], "the user's", names),
        # the channels the intake's Sales channels question asks about: apps' ids, wholesale channels
        "sales_channels": _sales_channels(facts["data"]),
        "app_names": _app_names(facts["data"], names),
        # the channels with the names the user gave them beside them ('Instagram Shop (app 24986320897)'):
        # for words; a command (--exclude-channel) takes the channel as the export writes it
        "shown_channels": lambda channels: [shown(c, names) for c in channels],
        "by_channel": [_channel_row(c, names) for c in facts["data"].get("by_channel") or [] if isinstance(c, dict)],
        "channel_names_label": CHANNEL_NAMES_LABEL,
        "channel_name_length": CHANNEL_NAME_LENGTH,
        # failed and unfinished payments followed per customer, in words (the report's paragraph)
        "failed_payments": failed_payments_text(facts["data"].get("failed_payments"), facts["data"].get("currency"), NEVER_PAID_NAME, owers_unreachable, facts["data"].get("test_charges")),
        "owers_unreachable": owers_unreachable,
        # a file without a header row: its columns are named column_1, column_2... by position
        "headerless": any(re.fullmatch(r"column_\d+", str(c)) for c in (facts["data"].get("mapping") or {}).values()),
        "email_reach": _email_reach(facts, seg, active) if primary == "rfm" else [],  # the files count reach by RFM segment only
        "emailable": _emailable(facts),
        # who has a phone in segments_generic.csv and who of them may be texted (counts only)
        "phone_reach": _phone_reach(facts, seg, active if primary == "rfm" else []),
        # segments nobody in which the email-tool files hold, with why: the example rules reach them without email
        "unemailable": unreachable_segments(facts, primary, seg["segments"]) if seg else {},
        # the export held no emails: the email-tool files are empty and check.py leaves email channels alone
        "no_emails": no_emails(facts),
        "others": {k: v for k, v in segs.items() if k != primary},
        "answers": {str(k): answer_words(names if str(k).strip().lower() == CHANNEL_NAMES_LABEL.lower() else v) for k, v in answers.items()},
        # the user's hunches (the Hypotheses answer, when it gives any) and their Data answer, which
        # the plan records as hypotheses and data_scope
        "hunches": (hunch_answer(answers) or (None, None))[1],
        "data_answer": next((str(v) for k, v in answers.items() if str(k).strip().lower() == DATA_LABEL.lower() and str(v).strip()), None),
        "warnings": _warnings(facts, answers),
        "warnings_label": WARNINGS_LABEL,
        # the customers the CRM files mark Holdout (compute/holdout.py): campaigns leave them out
        "held_out": (facts.get("exports") or {}).get("held_out") or 0,
        "segment_facts": SEGMENT_FACTS,
        "min_lift_customers": MIN_CUSTOMERS_FOR_LIFT,  # the report tells no lift from fewer
        "min_customers": MIN_CUSTOMERS_TO_SEGMENT,  # an option that would leave fewer is not offered
        "trigger_metrics": TRIGGER_METRICS,
        "business_model_hint": _business_model(facts["data"]["source"]),
        "currency": facts["data"].get("currency"),
        # what the primary segmentation's shares are of (an event log's RFM: the buyers only)
        "base": base(seg, facts["data"]),
        "buyers": _buyers(facts),
        "other_views": [_other_view(k, v, facts["data"]) for k, v in segs.items() if k != primary],
        # an event log's plan may rest on the behavioral segments (usage) instead of RFM
        "behavioral": _behavioral(segs.get("behavioral")) if primary in ("rfm", "behavioral") else None,
        # per segment, how many of its customers a period ago are in it still
        "stayed": _stayed(seg),
        # the watched moves down from segments that buy further apart than a period: ordinary gaps, not drift
        "usual_gaps": _moves_within_usual_gap(seg, facts.get("period_days")),
        # the run warned that regular buyers pass through At Risk between purchases (analysis.cycle_warning)
        "cycle_warned": any(isinstance(w, str) and w.startswith(CYCLE_WARNING_START) for w in facts.get("warnings") or []),
        # the repeat rates abroad and at home closer than chance alone keeps them: no hunch settled on them
        "countries_within_chance": home_abroad_within_chance(facts["data"].get("countries")),
        # customers per segment at the next-period check's cutoff: a rate of fewer is no KPI baseline
        "at_cutoff": at_cutoff,
        # the warning that the last period sold far more (or less) than the one before: a next-period KPI's baseline is that season's
        "last_period_pace": next((for_owner(w) for w in facts.get("warnings") or [] if isinstance(w, str) and build.LAST_PERIOD_PACE.match(w)), None),
        # the segments whose next-period rate the facts list marks as too thin (the hypotheses' rule points at the marks)
        "thin_at_cutoff": [k for k in active if 0 < at_cutoff.get(k, MIN_CUSTOMERS_FOR_LIFT) < MIN_CUSTOMERS_FOR_LIFT and seg["segments"][k].get("next_repeat_rate") is not None],
        # a segment holding most customers, with who is inside it: a plan can start on a part
        "dominant": [k for k in active if (seg["segments"][k].get("pct_customers") or 0) >= DOMINANT_SHARE and seg["segments"][k].get("last_purchase_days")],
        "last_purchase_words": LAST_PURCHASE_WORDS,
        "last_purchase_columns": _last_purchase_columns(facts),
        "tier_names": value_tier_names(facts) or {},
        # where a second order takes a New customer, by the rules: a pathway's target must reach its to-segment
        "second_order": _second_order_reach(seg, primary, active),
    }


def _sales_channels(data: dict) -> dict:
    """The kept orders' channels the intake asks about: apps Shopify names by a number, and
    wholesale channels (Honeycomb: shops buying to resell), those the marketplace question asks
    about (Faire) apart."""
    names = [str(c["channel"]) for c in data.get("by_channel") or [] if isinstance(c, dict)]
    apps = [str(c["channel"]) for c in data.get("by_channel") or [] if isinstance(c, dict) and c.get("label") == APP_LABEL]
    wholesale = [c for c in names if re.search(WHOLESALE, c)]
    return {"apps": apps, "wholesale": [c for c in wholesale if not re.search(MARKETPLACES, c)], "wholesale_marketplaces": [c for c in wholesale if re.search(MARKETPLACES, c)]}


def _app_names(data: dict, named: dict[str, str]) -> dict:
    """The apps the intake's Sales channels question asks about, split by whether the user
    named them (answers.json's Channel names): ``unnamed`` by their numbers, still to ask
    about, and ``named``, with the names beside the numbers."""
    apps = _sales_channels(data)["apps"]
    return {"unnamed": [c for c in apps if c not in named], "named": [shown(c, named) for c in apps if c in named]}


def _second_order_reach(seg: dict | None, primary: str | None, active: list[str]) -> dict | None:
    """The segments a second order (purchase_days 2) puts a New customer in that a pathway from
    New may lead to, and those ranked above New it does not reach (a trial's 'second order'
    pathway New -> Loyal, where Loyal needs 3 purchase days); None without a New segment."""
    if not seg or NEW_KEY not in active or primary == "lifecycle":
        return None
    ranges = segment_ranges(seg)
    pathway = {"from_segment": NEW_KEY, "success_metric": {"metric": "purchase_days", "target": 2}}
    reaches = reached_instead(pathway, "purchase_days", 2, ranges, seg, seg.get("order") or [])
    if not reaches:
        return None
    above = seg["order"][: seg["order"].index(NEW_KEY)]
    beyond = [{"name": seg["segments"][k]["name"], "range": describe(ranges[k]["purchase_days"])} for k in above
              if k in active and "purchase_days" in ranges.get(k, {}) and not meets(ranges[k]["purchase_days"], "==", 2)]
    return {"from_name": seg["segments"][NEW_KEY]["name"], "reaches": [seg["segments"][k]["name"] for k in reaches], "beyond": beyond}


def _last_purchase_columns(facts: dict) -> list[str]:
    """Where a CRM tool filters on the day of the last purchase ('is more than 90 days ago'):
    the email tools' own columns when their files list anyone, and segments_generic.csv's."""
    columns = (facts.get("exports") or {}).get("columns") or {}
    mailable = not no_emails(facts)
    own = [("Klaviyo", "klaviyo.csv", KLAVIYO_LAST_PURCHASE), ("HubSpot", "hubspot.csv", HUBSPOT_LAST_PURCHASE)]
    return [f"{tool}'s {column}" for tool, file, column in own if mailable and column in (columns.get(file) or [])] + [f"{GENERIC_FILE}'s last_purchase"]


def _warnings(facts: dict, answers: dict) -> list[dict]:
    """Each run warning with the intake answer that settles it (None while there is none): the
    later briefs then show it as answered, without its option, so the model does not ask again
    (a Stripe trial's briefs repeated 'add --include-unpaid' after the user had declined)."""
    given = {str(k).strip().lower(): str(v) for k, v in answers.items()}
    out = []
    for w in (w for w in facts.get("warnings") or [] if isinstance(w, str)):
        kind = next((k for k, pattern in ANSWERABLE.items() if pattern.search(w)), None)
        label = ANSWERED_BY[kind] if kind else WARNINGS_LABEL if NAMES_OPTION.search(w) else None
        answer = given.get(label.lower()) if label else None
        out.append({"text": w, "plain": for_owner(w), "kind": kind, "option": label == WARNINGS_LABEL, "answer": answer})
    return out


def _stayed(seg: dict | None) -> list[dict]:
    """Per segment of the migration's earlier date (5 customers or more): how many of them are
    in it still. A stable share can hide a segment that changed hands: a trial's Loyal was
    'stable' while 107 of its 139 moved to At Risk in one period."""
    migration = (seg or {}).get("migration") or {}
    matrix = migration.get("matrix") or {}
    names = {k: v.get("name") or k for k, v in ((seg or {}).get("segments") or {}).items()}
    out = []
    for key in (seg or {}).get("order") or []:
        row = matrix.get(key) or {}
        total = sum(row.values())
        if total >= TREND_MIN_CUSTOMERS:
            out.append({"key": key, "name": names.get(key, key), "stayed": int(row.get(key, 0)), "of": int(total)})
    return out


def _moves_within_usual_gap(seg: dict | None, period_days: Any) -> list[dict]:
    """The segments whose watched moves down (to a segment ranked below) start from repeat buyers
    whose median gap between purchases is longer than a period: in one period many of them had
    not bought again yet, so the moves are largely their ordinary gaps, not drift (a trial's
    Champions, a median 114 days apart on a 90-day period, read as 'drifting' to At Risk)."""
    if not seg or not isinstance(period_days, (int, float)):
        return []
    rank = {k: i for i, k in enumerate(seg.get("order") or [])}
    segments = seg.get("segments") or {}
    out: dict[str, dict] = {}
    for w in (seg.get("migration") or {}).get("watch") or []:
        a, b = w.get("from_segment"), w.get("to_segment")
        gap = (segments.get(a) or {}).get("median_gap_days")
        if a in rank and b in rank and rank[b] > rank[a] and w.get("customers") and isinstance(gap, (int, float)) and gap > period_days:
            moved = out.setdefault(a, {"key": a, "name": segments[a].get("name") or a, "gap": gap, "to": []})
            moved["to"].append((segments.get(b) or {}).get("name") or b)
    return list(out.values())


def _buyers(facts: dict) -> dict | None:
    """An event log: how many of its users bought and how many never did (report.buyers)."""
    bought = buyers(facts)
    return {**bought, "everyone": facts["data"].get("customers")} if bought["never_bought"] else None


def _other_view(kind: str, seg: dict, data: dict) -> dict:
    """A segmentation beside the primary one, as the segments brief names it: its reason in the
    reader's words, what its figures count, and each segment's band when it has bands of days."""
    bands = day_bands(seg.get("definition"))
    return {
        "key": kind,
        "title": SEGMENTATION_TITLES.get(kind, kind.replace("_", " ").title()),
        "method_reason": seg.get("method_reason") or "",
        "activity": activity_basis(seg),
        "basis": str((seg.get("definition") or {}).get("basis") or "") if bands else "",
        "base": base(seg, data),
        "segments": [{"key": k, "band": bands.get(k, ""), **{f: seg["segments"][k].get(f) for f in ("name", "count", "count_prev", "pct_customers", "trend", "trend_change")}} for k in seg.get("order", []) if k in seg.get("segments", {})],
    }


def _behavioral(seg: dict | None) -> dict | None:
    """The behavioral segments a plan could cover instead of RFM: keys with customers and the
    facts a strategy may cite for them (figures of activity, not purchases)."""
    if not seg:
        return None
    active = [k for k in seg.get("order", []) if (seg["segments"].get(k) or {}).get("count")]
    return {"active": active, "names": {k: seg["segments"][k]["name"] for k in active}, "activity": activity_basis(seg)}


def _empty_segments(seg: dict | None, active: list[str]) -> list[dict]:
    """Segments of the rule table nobody is in, with where a merge sent their customers."""
    if not seg:
        return []
    merged = {m["from"]: m for m in seg.get("merged") or []}
    names = {k: s["name"] for k, s in seg["segments"].items()}
    return [
        {"key": k, "name": names[k], "into": names.get(merged[k]["into"], merged[k]["into"]) if k in merged else None, "reason": merged[k]["reason"] if k in merged else None}
        for k in seg.get("order", []) if k not in active
    ]


def _email_reach(facts: dict, seg: dict | None, active: list[str]) -> list[dict]:
    """Per segment, how many customers the email-tool files hold, when some are left out
    (no email, opted out): a plan led by email reaches only those."""
    reach = (facts.get("exports") or {}).get("reachable_by_segment")
    if not seg or reach is None:  # no CRM files written (or facts from before the count existed)
        return []
    out = [{"key": k, "name": seg["segments"][k]["name"], "reachable": reach.get(k, 0), "count": seg["segments"][k]["count"]} for k in active]
    return out if any(r["reachable"] < r["count"] for r in out) else []


def _phone_reach(facts: dict, seg: dict | None, active: list[str]) -> dict | None:
    """How many people the CRM files list have a phone, and how many of them accepted SMS
    marketing (texts go to them only), in all and per segment; None when nobody has a phone.
    ``active``: the RFM segments to list (the files count phones by RFM segment only)."""
    exports = facts.get("exports") or {}
    if not exports.get("with_phone"):
        return None
    phones, texting = exports.get("with_phone_by_segment") or {}, exports.get("sms_consent_yes_by_segment") or {}
    segments = [{"key": k, "name": seg["segments"][k]["name"], "count": seg["segments"][k]["count"], "with_phone": phones.get(k, 0), "texting": texting.get(k, 0)} for k in active] if seg else []
    return {"with_phone": exports["with_phone"], "listed": exports.get("customers") or 0, "sms_recorded": bool(exports.get("sms_consent_recorded")), "texting": exports.get("sms_consent_yes") or 0, "segments": segments}


def _emailable(facts: dict) -> dict | None:
    """How many customers the email-tool files hold, when under half of all: the intake's
    defaults then stop assuming email."""
    exports = facts.get("exports") or {}
    customers, reachable = exports.get("customers") or 0, exports.get("reachable")
    if not customers or reachable is None:
        return None
    return {"reachable": reachable, "customers": customers} if reachable < customers / 2 else None


def _business_model(source: str) -> str:
    return {
        "shopify_orders": "online product sales (Shopify)",
        "woocommerce_orders": "online product sales (WooCommerce)",
        "square_transactions": "in-person sales (Square)",
        "stripe_payments": "payments through Stripe, often subscriptions",
        "customers": "a customer table from a CRM or billing system",
        "shopify_customers": "online product sales (Shopify customers export)",
        "events": "a product or app with usage events",
    }.get(source, "purchases from a transaction log")
