"""The strategy document a model writes: defined once, with standard-library dataclasses.

The model writes the qualitative parts of a segmentation strategy (personas, targeting,
migration pathways, roadmap, KPIs) into this document; ``segment check`` validates it
against facts.json and ``segment render`` fills in the numbers. Two rules shape it:

* every number that describes the *plan* (a trigger threshold, a budget share, a target,
  weeks, hours, a contact frequency) sits in a typed field;
* every figure *about the data* appears in free text only as a fact reference,
  ``{segmentations.rfm.segments.champions.count}``, resolved from facts.json at render time.

This module runs inside Claude's code container (no pydantic), so the JSON Schema is
derived from the dataclasses with the standard library: :func:`strategy_json_schema`.
The tests compare it with pydantic's ``TypeAdapter(StrategyDocument).json_schema()``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import MISSING, dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = "1.0"

Per = Literal["week", "month", "quarter"]
Priority = Literal["high", "medium", "low"]
Review = Literal["weekly", "monthly", "quarterly"]
Operator = Literal[">", ">=", "<", "<=", "=="]
TermUnit = Literal["percent", "money", "minutes", "hours", "days", "weeks", "months", "items"]
UNTESTABLE = "cannot be tested with this data"
Verdict = Literal["holds", "does not hold", "partly holds", "cannot be tested with this data"]


def doc(description: str, *, default: Any = MISSING, **constraints: Any) -> Any:
    """A field with its description (and JSON Schema constraints such as minimum)."""
    meta = {"description": description, **constraints}
    if isinstance(default, (list, dict)):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Frequency:
    """How often the segment hears from you: ``times`` per ``per``."""

    times: int = doc("messages per period", minimum=1)
    per: Per = doc("the period: week, month or quarter")


@dataclass
class OfferTerm:
    """A number that describes an offer (a discount, a window, a threshold): plan, not data."""

    label: str = doc("what the number is, e.g. 'win-back discount' or 'code valid for'")
    value: float = doc("the number itself, in the unit: a 10% discount is 10 with unit percent", minimum=0)
    unit: TermUnit = doc("percent, money (the data's currency), minutes, hours, days, weeks, months or items")


@dataclass
class SegmentStrategy:
    """What to do for one segment. Free text may cite facts as {dotted.fact.key}, never type a figure."""

    persona: str = doc("who these customers are and why they behave so; distinct from every other segment's persona")
    goal: str = doc("the one outcome the plan seeks for this segment")
    tone: str = doc("how messages to this segment sound")
    channels: list[str] = doc("channels used for this segment, most important first", minItems=1)
    communication_frequency: Frequency = doc("how often to contact the segment")
    offers: str = doc("what is offered (perks, bundles, incentives), never a figure")
    service_level: str = doc("how service treats this segment")
    messaging: str = doc("the core message, as the customer would read it")
    product_priority: str = doc("which products or features to lead with: where the export names products, the segment's own from the segments brief's tables (figures cited from the `products` facts), else the user's catalogue as their choice")
    pricing: str = doc("the pricing stance: full price, bundles, incentives, retention offers")
    display_name: str | None = doc("an optional better name for the segment; it stays mapped to the computed segment key", default=None)
    offer_terms: list[OfferTerm] = doc("the numbers of the offers (discount size, how long a code is valid): typed here, never typed into the offer text", default=[])


@dataclass
class TargetingCell:
    """One cell of the targeting matrix: how much weight a channel gets for a segment."""

    segment: str = doc("segment key from facts.json, or prospects (the CRM files' contacts who never bought, when they list any)")
    channel: str = doc("the channel")
    priority: Priority = doc("high, medium or low")
    budget_share: float = doc("share of the marketing budget, a fraction from 0 to 1", minimum=0, maximum=1)
    hours: float | None = doc("staff hours the channel takes, for a channel run by people (phone calls, handwritten notes, visits): counted against the budget's hours with the pathways'", default=None, minimum=0)
    hours_per: Per | None = doc("the period of those hours: week, month or quarter (default: the budget's hours period)", default=None)


@dataclass
class Trigger:
    """When a customer enters the pathway: a computed metric compared with a threshold."""

    metric: str = doc("a computed metric: a customers.csv column (recency_days, purchase_days, orders, monetary_total, aov, r_score, f_score, m_score, health_score, tenure_days; for the usage groups of an event log, active_days_30 or days_since_active) or a segment fact name (repeat_rate, ...)")
    operator: Operator = doc("comparison: >, >=, <, <= or ==")
    value: float = doc("the threshold, in the metric's own unit (days, money, a fraction for rates)")


@dataclass
class SuccessMetric:
    """How success of a pathway is measured."""

    metric: str = doc("a computed metric, as for triggers")
    target: float = doc("the target value, in the metric's unit (a fraction for rates)")


@dataclass
class Investment:
    """What a pathway costs: give a budget, hours, or both."""

    budget: float | None = doc("money, in the data's currency", default=None, minimum=0)
    hours: float | None = doc("staff hours", default=None, minimum=0)
    per: Per | None = doc("week, month or quarter when the budget and hours recur; leave out for a one-off cost", default=None)
    hours_per: Per | None = doc("the period of the hours when it is not the budget's (300 a month and 2 hours a week: per month, hours_per week)", default=None)


@dataclass
class Pathway:
    """A migration pathway: moving customers from one segment to a better one."""

    from_segment: str = doc("segment key customers start in, or prospects (contacts who never bought, when the CRM files list any: to the segment a first order puts them in, New)")
    to_segment: str = doc("segment key they should reach")
    trigger: Trigger = doc("when a customer enters the pathway")
    intervention: str = doc("what is done for them")
    success_metric: SuccessMetric = doc("how success is measured")
    investment: Investment = doc("what it costs")
    expected_outcome: str = doc("what should happen, in words or fact references")


@dataclass
class Phase:
    """One phase of the implementation roadmap."""

    phase: str = doc("name of the phase")
    weeks: int = doc("how long it lasts, in weeks", minimum=1)
    actions: list[str] = doc("what gets done in this phase", minItems=1)


@dataclass
class Kpi:
    """A segment-level KPI: a baseline from facts.json and a typed target."""

    segment: str = doc("segment key, or prospects (the CRM files' contacts who never bought, when they list any)")
    metric: str = doc("a computed metric, as for triggers; for prospects, first_order_rate (the share of them who place a first order)")
    baseline: str | None = doc("the current value as one fact reference, e.g. {segmentations.rfm.segments.champions.repeat_rate}; null only for the prospects' first_order_rate (contacts who never bought), which no fact measures yet: it is first read at the next run")
    target: float = doc("the target, in the metric's unit (a fraction for rates)")
    review: Review = doc("how often it is reviewed: weekly, monthly or quarterly; a next-period rate (next_repeat_rate) no more often than once a period (period_days: quarterly for 90 days)")


@dataclass
class AutomationRule:
    """A rule to set up in a CRM or email tool."""

    segment: str = doc("segment key")
    crm: str = doc("the tool, e.g. Klaviyo, HubSpot, Mailchimp")
    rule: str = doc("the rule in words; thresholds belong to pathway triggers")


@dataclass
class Conversion:
    """The user's budget in the currency they gave it in, and the rate they confirmed to the data's.

    The tools convert nothing: the rate is the user's, so the plan's amount can be traced to theirs."""

    amount: float = doc("the user's budget per the budget's period in their own currency, as their answer gives it (300 for '£300 a month')", minimum=0)
    currency: str = doc("the currency of the user's answer, as a code (GBP)")
    rate: float = doc("what one unit of the user's currency is worth in the data's, as the user confirmed it (1.27 for 1 GBP = 1.27 USD)", minimum=0)


@dataclass
class Budget:
    """What the user can spend on acting on segments, from their intake answer.

    The targeting shares divide it, and the pathways' costs over the roadmap must fit in it."""

    amount: float = doc("money per period, in the data's currency", minimum=0)
    per: Per = doc("the period: week, month or quarter")
    hours: float | None = doc("staff hours per period, when the user gave them", default=None, minimum=0)
    hours_per: Per | None = doc("the period of the hours when it is not the budget's (2,000 a month and 5 hours a week: per month, hours_per week)", default=None)
    conversion: Conversion | None = doc("when the user gave the budget in another currency than the data's: their amount, its currency and the rate they confirmed; amount is then their amount times the rate", default=None)


@dataclass
class Hypothesis:
    """A hunch the user gave at intake, and what this data says about it.

    The report answers the user's own questions with it ("Your hunches, checked")."""

    hunch: str = doc("the user's hunch in their own words, from the intake's Hypotheses answer")
    verdict: Verdict = doc("holds, does not hold, partly holds, or cannot be tested with this data")
    evidence: str = doc("why, citing the facts that show it as fact references ({segmentations.rfm.segments.champions.seasonality.revenue_share.q4}); for 'cannot be tested with this data', what data would answer it. Evidence that names one segment (or cites the facts of one only) is held to that segment's facts as its own text is")


@dataclass
class DataScope:
    """Whether the export is the user's whole customer base for its period, as their intake answer says.

    When it is not (a sample, one shop or channel of several), its counts and revenue are the
    export's, not the business's, and the report says so."""

    whole_base: bool = doc("true when the user says the export holds all their customers of the period; false for a sample, one shop or channel of several, a run that left a sales channel out (--exclude-channel), or any other part")
    answer: str = doc("the user's answer to the intake's Data question, in their words")


@dataclass
class StrategyDocument:
    """A segmentation strategy for one computed segmentation, grounded in facts.json."""

    segments: dict[str, SegmentStrategy] = doc("segment key from facts.json -> its strategy; every segment with customers needs one", maxProperties=6)
    targeting_matrix: list[TargetingCell] = doc("segment x channel priorities and budget shares")
    pathways: list[Pathway] = doc("migration pathways towards higher-value segments")
    roadmap: list[Phase] = doc("implementation phases in order")
    kpis: list[Kpi] = doc("segment-level KPIs with baselines from facts.json")
    review_schedule: str = doc("how and when the segments and this plan are reviewed")
    automation_rules: list[AutomationRule] = doc("rules to set up in the CRM", default=[])
    budget: Budget | None = doc("the user's budget for acting on segments (money and hours per period), from the intake answers", default=None)
    confirmed: dict[str, str] = doc("run warnings this run gave (facts.warnings) that the user answered at intake: consent_unknown, data_age, marketplace or opted_out -> their answer in their words; the report shows those warnings as answered", default={})
    hypotheses: list[Hypothesis] = doc("the user's hunches from the intake (its Hypotheses answer), each with a verdict and the facts behind it; the whole plan needs them when the user gave any", default=[])
    data_scope: DataScope | None = doc("the user's answer on whether the export is their whole customer base for its period (the intake's Data question); when it is not, the report says its counts and revenue are the export's, not the business's", default=None)
    segmentation: str = doc("which segmentation of facts.json the strategy covers (rfm, lifecycle, value, health, behavioral)", default="rfm")
    schema_version: str = doc("version of this document format", default=SCHEMA_VERSION)


# -- type introspection, shared by the JSON Schema and the validator -------------------------------


def hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """(inner type, optional?) for ``X | None``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def required_fields(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.default is MISSING and f.default_factory is MISSING]


# -- JSON Schema -------------------------------------------------------------------------------

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}
_CONSTRAINTS = ("minimum", "maximum", "minItems", "maxProperties")


def _type_schema(tp: Any, defs: dict[str, dict]) -> dict:
    inner, optional = unwrap_optional(tp)
    if optional:
        return {"anyOf": [_type_schema(inner, defs), {"type": "null"}]}
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    origin = typing.get_origin(tp)
    if origin is Literal:
        values = list(typing.get_args(tp))
        return {"enum": values, "type": "string"}
    if origin is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "items": _type_schema(item, defs)}
    if origin is dict:
        _, value = typing.get_args(tp)
        return {"type": "object", "additionalProperties": _type_schema(value, defs)}
    if dataclasses.is_dataclass(tp):
        if tp.__name__ not in defs:
            defs[tp.__name__] = {}  # placeholder first: guards against recursion
            defs[tp.__name__] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _object_schema(cls: type, defs: dict[str, dict]) -> dict:
    types_ = hints(cls)
    props = {}
    for f in dataclasses.fields(cls):
        prop = _type_schema(types_[f.name], defs)
        if f.metadata.get("description"):
            prop = {**prop, "description": f.metadata["description"]} if "$ref" not in prop else {"allOf": [prop], "description": f.metadata["description"]}
        for c in _CONSTRAINTS:
            if c in f.metadata:
                target = prop["anyOf"][0] if "anyOf" in prop else prop
                target[c] = f.metadata[c]
        if f.default is not MISSING:
            prop["default"] = f.default
        elif f.default_factory is not MISSING:
            prop["default"] = f.default_factory()
        props[f.name] = prop
    schema: dict[str, Any] = {"title": cls.__name__, "type": "object"}
    if cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("):
        schema["description"] = " ".join(cls.__doc__.split())
    schema["properties"] = props
    req = required_fields(cls)
    if req:
        schema["required"] = req
    schema["additionalProperties"] = False
    return schema


def strategy_json_schema() -> dict:
    """The JSON Schema of :class:`StrategyDocument`, derived from the dataclasses (stdlib only)."""
    defs: dict[str, dict] = {}
    top = _object_schema(StrategyDocument, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **top, "$defs": dict(sorted(defs.items()))}


__all__ = [
    "AutomationRule",
    "Conversion",
    "DataScope",
    "Frequency",
    "Hypothesis",
    "Investment",
    "Kpi",
    "Pathway",
    "Phase",
    "SCHEMA_VERSION",
    "SegmentStrategy",
    "StrategyDocument",
    "SuccessMetric",
    "TargetingCell",
    "Trigger",
    "strategy_json_schema",
]
