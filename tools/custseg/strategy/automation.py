"""Automation-rule checks: a rule set up in a CRM or email tool matches only the columns and
labels of the file that tool imports (rule columns, rule values, display names and keys where
the files carry names, the RFM segment columns in a plan on usage groups). Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.claims import name_spans
from custseg.strategy.document import _items, _number
from custseg.strategy.kpis import MIN_RATE_CUSTOMERS
from custseg.strategy.metrics import ACTIVITY_METRICS, CUSTOMER_METRICS
from custseg.strategy.problems import Problem


# A rule keyed on the RFM columns of the CRM files: segment_name, HubSpot's customer_segment,
# or the segment field, column or property (not "the behavior segment").
SEGMENT_COLUMN = re.compile(
    r"\bsegment[ _]name\b|\bcustomer_segment\b|(?<!behavior\s)(?<!behavioral\s)\bsegment\s+(?:field|column|property)\b|`segment`",
    re.IGNORECASE,
)


def _usage_rule_columns(doc: dict, fact_segments: dict) -> list[Problem]:
    """customers.csv and segments_generic.csv carry the usage group in their behavior column;
    segment and segment_name (and the email tools' segment fields) hold the RFM segment."""
    out = []
    for i, rule in _items(doc, "automation_rules"):
        text, segment = rule.get("rule"), rule.get("segment")
        found = SEGMENT_COLUMN.search(text) if isinstance(text, str) and segment in fact_segments else None
        if found:
            out.append(Problem(f"automation_rules[{i}].rule", "rule_wrong_column", f"'{found.group(0)}' holds the RFM segment, not the usage group: only the behavior column of segments_generic.csv and customers.csv carries '{segment}'; key the rule on it (when behavior is {segment})"))
    return out


def _inside(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in others)


def _display_names_in_rules(doc: dict, strat: dict, fact_segments: dict, segmentation: str) -> list[Problem]:
    """The CRM files label customers with the computed segment names (Dormant), so a rule set
    up against the plan's display name (Lapsed One-Timers) matches nobody. A rule may give the
    plan's name beside the computed one; a display name that only differs in case is the same.
    The other segmentations' labels (lifecycle, behavior, ...) are their keys in the files."""
    renamed = []
    for key, fields in strat.items():
        if key not in fact_segments:
            continue
        name = str(fact_segments[key].get("name") or key)
        label = name if segmentation == "rfm" else key  # what the CRM files carry
        display = fields.get("display_name") if isinstance(fields, dict) else None
        for shown in {n.strip() for n in (display, name) if isinstance(n, str) and n.strip()}:
            if shown.lower() != label.lower():
                renamed.append((shown, label))
    out = []
    rules = doc.get("automation_rules") if isinstance(doc.get("automation_rules"), list) else []
    for i, rule in enumerate(rules):
        text = rule.get("rule") if isinstance(rule, dict) else None
        if not isinstance(text, str):
            continue
        names = {n for pair in renamed for n in pair}
        for display, computed in renamed:
            # 'Regulars' inside another segment's 'Almost Regulars' is that segment's name
            longer = [s for n in names if len(n) > len(display) and name_spans(display, n) for s in name_spans(n, text)]
            shown = [s for s in name_spans(display, text) if not _inside(s, longer)]
            named = name_spans(computed, text)
            # 'Attention' inside 'Needs Attention' is the computed name; 'Dormant' inside 'Dormant Browsers' is not
            if any(not _inside(s, named) for s in shown) and all(_inside(n, shown) for n in named):
                out.append(Problem(f"automation_rules[{i}].rule", "rule_display_name", f"'{display}' names the segment the CRM files label '{computed}', and a rule set up in the CRM matches that label: write '{computed}' (the plan's name may follow it: '{computed} (the {display} of this plan)')"))
    return out


EMAIL_TOOLS = re.compile(r"klaviyo|mailchimp|hubspot", re.IGNORECASE)


def _keys_in_email_tool_rules(doc: dict, fact_segments: dict) -> list[Problem]:
    """Klaviyo's Segment, HubSpot's customer_segment and Mailchimp's tags hold the segment's
    name (At Risk), not its key (at_risk): a rule for those tools on the key matches nobody.
    segments_generic.csv's segment column does hold the key, so other tools may use it."""
    out = []
    for i, rule in _items(doc, "automation_rules"):
        text, crm = rule.get("rule"), rule.get("crm")
        if not (isinstance(text, str) and isinstance(crm, str)):
            continue
        # segments_generic.csv's segment_name column holds names too, whatever tool reads it
        named = re.search(r"\bsegment_name\s*(?:is|=|==|equals|:)\s*['\"]?([\w-]+)", text, re.IGNORECASE)
        if named and named.group(1) in fact_segments:
            key = named.group(1)
            name = str((fact_segments[key] or {}).get("name") or key)
            if name != key:
                out.append(Problem(f"automation_rules[{i}].rule", "rule_key_for_email_tool", f"'{key}' is the segment's key, but segment_name holds its name: write segment_name is '{name}', or use the segment column, which holds the key"))
                continue
        if not EMAIL_TOOLS.search(crm):
            continue
        for key, stats in fact_segments.items():
            name = str((stats or {}).get("name") or key)
            if "_" in key and re.search(rf"(?<![\w{{.]){re.escape(key)}(?![\w}}])", text) and name.lower() not in text.lower():
                out.append(Problem(f"automation_rules[{i}].rule", "rule_key_for_email_tool", f"'{key}' is the segment's key, but {crm}'s file labels customers by name: write '{name}'"))
    return out


# customers.csv's dates: per customer, like the metrics; segments_generic.csv has both, the
# Klaviyo and HubSpot files the last purchase under their own names, Mailchimp's neither
CUSTOMERS_ONLY = ("first_purchase", "last_purchase")
# Days counted at the run go stale in a CRM; a date does not: the tool counts days from it
# ('is more than 60 days ago'). Per file, the date a count of days (or another file's name
# for that date) is filtered on instead (render/exports.py).
LAST_PURCHASE_COLUMN = {"klaviyo.csv": "Last Purchase", "hubspot.csv": "last_purchase_date", "segments_generic.csv": "last_purchase"}
DATE_FOR = (
    ({"recency_days", "last_purchase", "last_purchase_date"}, LAST_PURCHASE_COLUMN),
    ({"tenure_days", "first_purchase"}, {"segments_generic.csv": "first_purchase"}),
)
PER_CUSTOMER = {*CUSTOMER_METRICS, *ACTIVITY_METRICS, *CUSTOMERS_ONLY, "outstanding_value", "outstanding_payments", "payment_problems", "last_payment_problem"}
SNAKE_NAME = re.compile(r"(?<![\w{.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w}])")


# CRMs and email tools that import a CSV of contacts with attributes of one's own: they read
# segments_generic.csv. A plan's other tools (Shopify Flow, Stripe Billing, Zapier) import no file.
GENERIC_IMPORTERS = re.compile(
    r"customer\.?io|intercom|braze|brevo|sendinblue|activecampaign|salesforce|iterable|omnisend|\bdrip\b|convertkit|attentive|pipedrive"
    r"|zoho|marketo|pardot|mailerlite|sendgrid|constant\s*contact|campaign\s*monitor|keap|freshsales|dotdigital|emarsys|bloomreach|moengage|clevertap",
    re.IGNORECASE,
)


def crm_file(crm: str) -> str:
    """The file a tool imports: its own for the email tools, the generic one for any other."""
    found = EMAIL_TOOLS.search(crm)
    return f"{found.group(0).lower()}.csv" if found else "segments_generic.csv"


def importing_tools(doc: Any) -> list[tuple[str, str]]:
    """(tool, the file it imports) for the CRMs and email tools a plan's rules run in, first named first."""
    rules = doc.get("automation_rules") if isinstance(doc, dict) and isinstance(doc.get("automation_rules"), list) else []
    names = dict.fromkeys(r["crm"].strip() for r in rules if isinstance(r, dict) and isinstance(r.get("crm"), str))
    return [(n, crm_file(n)) for n in names if EMAIL_TOOLS.search(n) or GENERIC_IMPORTERS.search(n)]


def _column_key(name: str) -> str:
    """A column name as the files and rules may write it: 'Outstanding Payment' is outstanding_payment."""
    return re.sub(r"[\s_]+", "_", name.strip().lower())


# Every column each file can carry, in the order the exports write them (render/exports.py's
# KLAVIYO_COLUMNS, HUBSPOT_COLUMNS, MAILCHIMP_COLUMNS and GENERIC_COLUMNS; a test keeps them the
# same), whatever this run's data held: a rule on one this run's files lack ('outstanding_payment'
# on an event log, which records no payments owed) names the project's column, not a CRM's own attribute.
FILE_COLUMNS = {
    "klaviyo.csv": ("Email", "Phone Number", "Segment", "RFM Score", "Lifecycle", "Value Tier", "Usage Group", "Last Purchase", "Outstanding Payment", "Payment Problems", "Holdout", "Pseudonymous ID"),
    "hubspot.csv": ("Email", "customer_segment", "lifecyclestage", "usage_group", "last_purchase_date", "outstanding_payment", "payment_problems", "holdout", "pseudonymous_id"),
    "mailchimp.csv": ("Email Address", "Tags", "Pseudonymous ID"),
    "segments_generic.csv": (
        "customer_id", "source_id", "email", "marketing_consent", "phone", "sms_consent", "segment", "segment_name", "holdout", "r_score", "f_score", "m_score", "reason",
        "first_purchase", "last_purchase", "purchase_days", "monetary_total", "lifecycle", "value_tier", "health_band", "health_score", "behavior",
        "active_days_30", "days_since_active", "subscription", "billing_cycle", "outstanding_payments", "outstanding_value", "outstanding_since", "payment_problems", "last_payment_problem",
    ),
}
EXPORT_COLUMNS = tuple(dict.fromkeys(c for columns in FILE_COLUMNS.values() for c in columns))
# The column of each file that carries a segmentation's labels (Mailchimp's as tags); a file
# without one carries none of them (health bands are segments_generic.csv's only)
LABEL_COLUMNS = {
    "klaviyo.csv": {"rfm": "Segment", "lifecycle": "Lifecycle", "value": "Value Tier", "behavioral": "Usage Group"},
    "hubspot.csv": {"rfm": "customer_segment", "behavioral": "usage_group"},
    "mailchimp.csv": {"rfm": "Tags", "lifecycle": "Tags", "value": "Tags", "behavioral": "Tags"},
    "segments_generic.csv": {"rfm": "segment_name", "lifecycle": "lifecycle", "value": "value_tier", "health": "health_band", "behavioral": "behavior"},
}
# A one-word field a rule's condition names ('Health equals Critical', a trial's Klaviyo rule):
# the segmentation it means, or the project's one-word column it is. A CRM's own ('Country
# equals US') is not judged; email and phone every tool keeps under its own name.
FIELD_SEGMENTATIONS = {"segment": "rfm", "health": "health", "value": "value", "usage": "behavioral", "behavior": "behavioral", "behaviour": "behavioral", "lifecycle": "lifecycle"}
ONE_WORD_COLUMNS = {c.lower() for c in EXPORT_COLUMNS if c.isalpha()} - {"email", "phone"}
_LABEL_WORDS = {"rfm": "segment names", "lifecycle": "lifecycle stages", "value": "value tiers", "health": "health bands", "behavioral": "usage groups"}
FIELD_CONDITION = re.compile(r"(?<![\w'.{-])((?-i:[A-Z][a-z]+))(?=\s*(?:!=|==?)|\s+(?:equals|does\s+not\s+equal|is\s+not|isn't|is\s+one\s+of|is|contains|does\s+not\s+contain)\b)")


# A tool's own profile fields that share a name with a column of ours: Klaviyo keeps every
# profile's SMS consent itself (a rule 'only profiles with SMS consent' is how texts stay legal),
# though only segments_generic.csv carries our sms_consent column.
TOOL_OWN = {"klaviyo.csv": {"sms_consent"}}


def _named_columns(text: str, columns: list[str]) -> list[str]:
    """The project's own column names of two or more words ('Outstanding Payment', 'Value Tier',
    value_tier) a rule names, as the rule writes them. One-word columns (Segment, Tags, reason)
    are ordinary words, and every file has an email column."""
    names = {_column_key(c) for c in columns if "_" in _column_key(c) and "email" not in c.lower()}
    found = []
    for key in sorted(names, key=len, reverse=True):
        words = r"[\s_]+".join(re.escape(w) for w in key.split("_"))
        hit = re.search(rf"(?<![\w{{.]){words}(?![\w}}])", text, re.IGNORECASE)
        if hit and not any(_column_key(f) != key and key in _column_key(f) for f in found):
            found.append(hit.group(0))
    return found


def _date_instead(token: str, file: str, columns: dict) -> str | None:
    """The date column of ``file`` a rule on ``token`` filters on instead (Klaviyo's Last
    Purchase for recency_days or another file's last_purchase), when this run's file has it."""
    key = _column_key(token)
    date = next((by_file.get(file) for tokens, by_file in DATE_FOR if key in tokens), None)
    return date if date in columns.get(file, ()) else None


def _rule_columns(doc: dict, exports: dict, metrics: list[str], keys: dict[str, str]) -> list[Problem]:
    """A rule runs in the CRM on the columns the CRM imported: a metric or customers.csv column
    that the tool's file lacks (recency_days in Klaviyo, whose file has Last Purchase; repeat_rate anywhere), a column only
    another tool's file has (Klaviyo's Outstanding Payment in Mailchimp), or one no file of this
    run has (outstanding_payment on an event log) matches nobody. Only the project's names are
    judged; a CRM's own attributes (last_email_opened) are not. ``keys``: segment key -> the
    name the files carry (a key is no column)."""
    columns = exports.get("columns") if isinstance(exports.get("columns"), dict) else {}
    written = [*EXPORT_COLUMNS, *(c for cols in columns.values() for c in cols)]
    ours = {*metrics, *CUSTOMERS_ONLY, *(_column_key(c) for c in written)}
    out = []
    for i, rule in _items(doc, "automation_rules") if columns else []:
        text, crm = rule.get("rule"), rule.get("crm")
        if not (isinstance(text, str) and isinstance(crm, str)) or crm_file(crm) not in columns:
            continue
        name = crm_file(crm)
        has = {_column_key(c) for c in columns[name]} | TOOL_OWN.get(name, set())
        named = [*SNAKE_NAME.findall(text), *_named_columns(text, [c for cols in columns.values() for c in cols]), *_headers_as_written(text)]
        missing = {_column_key(t): t for t in reversed(named) if _column_key(t) in ours and _column_key(t) not in has and t not in keys}
        for token in reversed(missing.values()):
            date = _date_instead(token, name, columns)
            if _column_key(token) in SEGMENT_COLUMNS and name in SEGMENT_COLUMN_OF:
                use = _segment_column_instead(name, rule.get("segment"), keys, exports)
            elif date:
                use = f"filter on {date}, a date the CRM counts days from ('{date} is more than 60 days ago', the column imported as a date)"
            else:
                use = f"use that file's columns ({', '.join(columns[name])})"
            out.append(Problem(f"automation_rules[{i}].rule", "rule_column_not_in_file", f"'{token}' is not a column of {name}, the file {crm} imports ({_where_column_is(token, columns, metrics)}), so the rule cannot filter on it: {use}"))
        told = {_column_key(t) for t in named}
        out += [Problem(f"automation_rules[{i}].rule", "rule_column_not_in_file", why) for why in _fields_not_in_file(text, name, crm, has, told, columns, metrics)]
    return out


def _fields_not_in_file(text: str, file: str, crm: str, has: set[str], told: set[str], columns: dict, metrics: list[str]) -> list[str]:
    """Why each one-word field a rule's condition names ('Health equals Critical') is not one of
    ``file``'s columns (``has``, as keys): the file carries that segmentation's labels in another
    column, or in none, or the field is another file's column. ``told``: the columns a problem
    names already."""
    out = []
    for m in FIELD_CONDITION.finditer(text):
        token, word = m.group(1), m.group(1).lower()
        if word in has or word in told or (word not in FIELD_SEGMENTATIONS and word not in ONE_WORD_COLUMNS):
            continue
        told.add(word)
        seg = FIELD_SEGMENTATIONS.get(word)
        own = LABEL_COLUMNS[file].get(seg) if seg else None
        own = own if own in columns.get(file, ()) else None  # this run's file carries it
        generic = LABEL_COLUMNS["segments_generic.csv"].get(seg) if seg else None
        if word == "holdout":
            out.append(f"'{token}' is not a column of {file}, the file {crm} imports, so the rule cannot filter on it: leave the holdout out as that file marks it ('{HOLDOUT_CONDITION[file]}')")
        elif own:
            example = "'tagged ...'" if own == "Tags" else f"'{own} equals ...'"
            out.append(f"'{token}' is not a column of {file}, the file {crm} imports: it carries the {_LABEL_WORDS[seg]} in {own}, so the rule cannot filter on '{token}': key it on {own} ({example})")
        elif seg and generic in columns.get("segments_generic.csv", ()):
            out.append(f"'{token}' is not a column of {file}, the file {crm} imports: it carries no {_LABEL_WORDS[seg]} (segments_generic.csv's {generic} does), so the rule cannot filter on it: "
                       f"use that file's columns ({', '.join(columns[file])}), or import segments_generic.csv's {generic} column into {crm} and key the rule on it")
        else:
            where = f"no file of this run carries {_LABEL_WORDS[seg]}" if seg else _where_column_is(token, columns, metrics)
            out.append(f"'{token}' is not a column of {file}, the file {crm} imports ({where}), so the rule cannot filter on it: use that file's columns ({', '.join(columns[file])})")
    return out


# Day counts a tool can run only by counting from a date its file carries (a count imported at
# the run goes stale the next day).
COUNTED_FROM_DATE = ("recency_days",)
# A plan's start on the tool's own terms: the segment label its file carries ('when the tag New
# is added'), or a tool that imports segments_generic.csv and counts days from its last_purchase.
TOOL_WAY = re.compile(r"\btag(?:s|ged)?\b|\blabel(?:led)?\b|segments_generic\.csv|\blast_purchase\b", re.IGNORECASE)
CAPABILITIES_LABEL = re.compile(r"capabilit|\btools?\b|\bcrm\b", re.IGNORECASE)
# A tool that keeps its own order data (a store's segments and flows) may run any trigger.
STORE_TOOLS = re.compile(r"shopify|woocommerce|zapier|\bflow\b", re.IGNORECASE)


def _plan_tools(doc: dict, answers: Any) -> list[tuple[str, str]]:
    """(tool, the file it imports) of the tools the plan's triggers run in: its automation rules'
    tools, else the ones the user named at intake (answers.json's Capabilities); none when any
    of them is a tool of another kind (Shopify Flow, Zapier), whose own data may run the trigger."""
    rules = [r.get("crm") for _, r in _items(doc, "automation_rules") if isinstance(r.get("crm"), str)]
    if rules:
        tools = importing_tools(doc)
        return tools if len(tools) == len(dict.fromkeys(c.strip() for c in rules)) else []
    named = " ".join(str(v) for k, v in (answers.items() if isinstance(answers, dict) else []) if isinstance(k, str) and CAPABILITIES_LABEL.search(k))
    if not named or STORE_TOOLS.search(named):
        return []
    found = dict.fromkeys(m.group(0) for pattern in (EMAIL_TOOLS, GENERIC_IMPORTERS) for m in pattern.finditer(named))
    return [(n, crm_file(n)) for n in found]


def _runs_on(metric: str, file: str, columns: dict) -> bool:
    """Whether a tool that imports ``file`` can trigger on ``metric``: the file carries it, or
    the date it is counted from. A file with per-customer columns comes from a tool that keeps
    its own order data (Klaviyo's, HubSpot's), so only a day count is held to the file there;
    a file of labels only (Mailchimp's tags) runs nothing else."""
    has = {_column_key(c) for c in columns.get(file, ())}
    if _column_key(metric) in has or _date_instead(metric, file, columns):
        return True
    labels_only = not has & {_column_key(c) for c in (*PER_CUSTOMER, *LAST_PURCHASE_COLUMN.values())}
    return metric not in COUNTED_FROM_DATE and not labels_only


def pathway_triggers_in_tool(doc: dict, facts: dict, answers: Any = None) -> list[Problem]:
    """A pathway triggered on a metric the user's tool cannot filter on (recency_days in
    Mailchimp, whose file carries tags only: a trial's pathways all started on it), unless its
    intervention says how it starts there instead. The rules' check (rule_column_not_in_file)
    holds the automation rules themselves to their file."""
    exports = facts.get("exports") if isinstance(facts.get("exports"), dict) else {}
    columns = exports.get("columns") if isinstance(exports.get("columns"), dict) else {}
    tools = [(n, f) for n, f in _plan_tools(doc, answers) if f in columns]
    out = []
    for i, p in _items(doc, "pathways") if tools else []:
        trigger = p.get("trigger") if isinstance(p.get("trigger"), dict) else {}
        metric, intervention = trigger.get("metric"), p.get("intervention")
        if not isinstance(metric, str) or any(_runs_on(metric, f, columns) for _, f in tools):
            continue
        if isinstance(intervention, str) and TOOL_WAY.search(intervention):
            continue
        names, files = " or ".join(n for n, _ in tools), ", ".join(dict.fromkeys(f for _, f in tools))
        where, example = SEGMENT_COLUMN_OF.get(tools[0][1], SEGMENT_COLUMN_OF["segments_generic.csv"])
        name = ((facts.get("segmentations") or {}).get(doc.get("segmentation") or "rfm") or {}).get("segments", {}).get(p.get("from_segment"), {}).get("name") or "At Risk"
        out.append(Problem(f"pathways[{i}].trigger.metric", "rule_column_not_in_file", (
            f"{names} cannot filter on {metric}: {files} carries no such column nor a date to count it from ({', '.join(columns[tools[0][1]])}); "
            f"say in the intervention how the pathway starts there: on the segment label, which {tools[0][1]} carries {where} ('{example.format(name=name)}'), "
            "refreshed by a rerun on each new export (the review schedule's), or in a tool that imports segments_generic.csv and counts days from its last_purchase")))
    return out


# Where each file carries the segment's name (render/exports.py), and a rule keyed on it; the
# segment columns of the other files (segment_name is segments_generic.csv's) are not in it.
SEGMENT_COLUMN_OF = {
    "klaviyo.csv": ("in Segment", "Segment is {name}"),
    "hubspot.csv": ("in customer_segment", "customer_segment is {name}"),
    "mailchimp.csv": ("as a tag in Tags", "tagged {name}"),
    "segments_generic.csv": ("in segment_name", "segment_name is {name}"),
}
SEGMENT_COLUMNS = {"segment_name", "customer_segment"}


def _segment_column_instead(file: str, segment: Any, names: Any, exports: dict) -> str:
    """What a rule keyed on another file's segment column ('segment_name' in Klaviyo) writes
    instead: the column its own file carries the segment's name in. On an export without emails
    the email-tool files are empty, and the segment reaches the tool under that same name."""
    where, example = SEGMENT_COLUMN_OF[file]
    name = names.get(segment) if isinstance(names, dict) and isinstance(names.get(segment), str) else "At Risk"
    said = f"{file} carries the segment's name {where}: key the rule on it ('{example.format(name=name)}')"
    if exports.get("reachable") == 0 and file != "segments_generic.csv":
        said += "; with no emails in the export, the user copies segments_generic.csv's segment_name into the tool under that name (crm-exports.md, 'Exports without emails')"
    return said


def _headers_as_written(text: str) -> list[str]:
    """The email tools' headers of two words a rule writes exactly ('Outstanding Payment'), also
    when this run's files lack them; in other spellings ('an outstanding payment', 'the billing
    cycle') they are ordinary words unless this run's files have the column."""
    return [c for c in EXPORT_COLUMNS if " " in c and "Email" not in c and re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text)]


def _where_column_is(token: str, columns: dict, metrics: list[str]) -> str:
    """Where a column a CRM file lacks is to be found: another file of the run, customers.csv,
    no file of this run, or nowhere per customer (a segment's figure)."""
    key = _column_key(token)
    elsewhere = [f for f, cols in columns.items() if key in {_column_key(c) for c in cols}]
    if key == "customer_id" and elsewhere:  # 'Customer ID' is the user's own id in their tool: ours is a pseudonym
        own = " (the id the export knew them by is its source_id)" if any("source_id" in cols for cols in columns.values()) else ""
        return f"{elsewhere[0]}'s customer_id is this tool's pseudonymous id, not the user's customer id{own}"
    if elsewhere:
        return f"it is in {elsewhere[0]}"
    if token in PER_CUSTOMER and token in {*metrics, *CUSTOMERS_ONLY}:
        return "it is in customers.csv, which no CRM imports"
    if key in {_column_key(c) for c in EXPORT_COLUMNS}:
        return "no file of this run has it: the exports write it only when the data holds it"
    return "it is a figure of a whole segment in facts.json, not of a customer"


# Where a rule names a value of a tag or segment field: 'tagged Struggling', 'Segment is At Risk',
# 'moves into Dormant', 'the Struggling tag'.
_VALUE_BEFORE = re.compile(
    r"(?:\btagged|\btags?|\b(?:segment|segment_name|customer_segment|lifecycle|lifecyclestage|usage[\s_]group|band|tier|property|field)\s+(?:is|becomes|=|==|equals|changes\s+to|contains|includes|has)"
    r"|\benters|\bjoins|\bmoves?\s+(?:in)?to|\bmoves?\s+from)\s+(?:the\s+|a\s+)?['\"]?$",
    re.IGNORECASE,
)
_VALUE_AFTER = re.compile(r"['\"]?\s+(?:tag|segment|band|tier)\b", re.IGNORECASE)
# 'moves to the onboarding sequence': a label word naming the plan's own flow, not a value
_PLAN_THING_AFTER = re.compile(r"\s+(?:sequence|flow|series|e-?mails?|list|campaign|journey|workflow|automation|playbook|programme|program|calls?|tasks?)\b", re.IGNORECASE)
# The segmentations whose labels each email tool's file carries beside the RFM segment names and
# the files' groups (render/exports: Klaviyo's Lifecycle, Value Tier and Usage Group columns,
# Mailchimp's tags of the same labels; HubSpot's usage_group, its lifecyclestage being HubSpot's own stage).
_FILE_LABELS = {"klaviyo.csv": ("lifecycle", "value", "behavioral"), "mailchimp.csv": ("lifecycle", "value", "behavioral"), "hubspot.csv": ("behavioral",)}
# The column of segments_generic.csv that carries each segmentation's labels.
_GENERIC_COLUMN = {"lifecycle": "lifecycle", "value": "value_tier", "health": "health_band", "behavioral": "behavior"}


# The segment names of the built-in RFM tables (compute/rules.py; a test keeps them in step): a
# rule may name one from habit ('Segment equals Dormant') on a run whose table or merges left it out.
BUILT_IN_RFM_NAMES = (
    "Champions", "Loyal", "New", "At Risk", "Dormant", "Needs Attention", "Best Customers", "Core Customers",
    "Recent Big Spenders", "Recent Buyers", "Lapsed Big Spenders", "Active Repeat Buyers",
)
# The other segmentations' labels (compute/segmentations.py; a test keeps them in step), for a
# rule that names one on a run without that segmentation (no lifecycle or health under a month
# of data). Labels that are also plain words a rule uses otherwise ('inactive', 'healthy',
# 'critical', 'mature') are left out.
BUILT_IN_LABELS = {
    "lifecycle": ("Onboarding", "Adopting", "Lapsed", "Churned"),
    "health": ("Thriving", "Struggling"),
    "value": ("High Value", "Medium Value", "Low Value"),
    "behavioral": ("Power Users", "Regular Users", "Occasional Users"),
}


def _names(seg_facts: dict, with_customers: bool = False) -> list[str]:
    """A segmentation's segment names (only those holding customers, when asked)."""
    segments = (seg_facts or {}).get("segments") or {}
    return [str((s or {}).get("name") or k) for k, s in segments.items() if not with_customers or (s or {}).get("count")]


def _carried_labels(facts: dict, file: str) -> dict[str, str]:
    """label (lower case) -> label, for the values a CRM file labels customers with: the RFM
    segments that hold customers (one merged away or empty labels nobody), the files' groups,
    and the other segmentations' labels the file has a column for."""
    segs = facts.get("segmentations") or {}
    groups = ((facts.get("exports") or {}).get("groups") or {}).values()
    klaviyo = ((facts.get("exports") or {}).get("columns") or {}).get("klaviyo.csv") or []
    present = {"lifecycle": "Lifecycle" in klaviyo, "value": "Value Tier" in klaviyo, "behavioral": "Usage Group" in klaviyo}  # the labels the files had to give
    names = _names(segs.get("rfm"), with_customers=True) + [str(g) for g in groups]
    others = [seg for seg in segs if seg != "rfm"] if file == "segments_generic.csv" else [seg for seg in _FILE_LABELS.get(file, ()) if present.get(seg)]
    for seg in others:
        names += _names(segs.get(seg))
    return {n.lower(): n for n in names}


def _rule_values(doc: dict, facts: dict) -> list[Problem]:
    """A rule in a CRM that imports one of the files, on a label that file does not carry (a
    health band 'Struggling' among Mailchimp's tags, which hold the RFM segment names, the
    files' groups and the lifecycle and value labels; an RFM segment this run does not have or
    that holds nobody) matches nobody."""
    segs = facts.get("segmentations") or {}
    out = []
    for i, rule in _items(doc, "automation_rules"):
        text, crm = rule.get("rule"), rule.get("crm")
        if not (isinstance(text, str) and isinstance(crm, str) and (EMAIL_TOOLS.search(crm) or GENERIC_IMPORTERS.search(crm))):
            continue
        file = crm_file(crm)
        carried = _carried_labels(facts, file)
        found = _foreign_label(text, segs, carried)
        if not found:
            continue
        label, seg = found
        column = _GENERIC_COLUMN.get(seg)
        if column and re.search(r"\b" + column.replace("_", r"[\s_]") + r"\b", text, re.IGNORECASE):  # keyed on the generic file's column, imported with it
            continue
        where = f"{file} (the file {crm} imports)"
        if seg == "rfm":
            why = _absent_segment(label, segs.get("rfm") or {}, where)
        elif seg not in segs:
            unavailable = (facts.get("unavailable") or {}).get(seg)
            why = (f"'{label}' is a {seg} label, and this run has no {seg} segmentation{f' ({unavailable})' if unavailable else ''}, so nobody in {where} carries it and the rule matches nobody: "
                   f"key it on a label the file has ({', '.join(dict.fromkeys(carried.values()))})")
        else:
            instead = f"; or import segments_generic.csv's {column} column into {crm} and key the rule on it ('when {column} is ...')" if column else ""
            why = f"'{label}' is a label of the {seg} segmentation, which {where} does not carry, so the rule matches nobody: key it on a label the file has ({', '.join(dict.fromkeys(carried.values()))}){instead}"
        out.append(Problem(f"automation_rules[{i}].rule", "rule_value_not_in_file", why))
    return out


def _absent_segment(label: str, rfm: dict, where: str) -> str:
    """Why no customer in a CRM file carries an RFM segment name, and the name to use instead."""
    by_name = {str((s or {}).get("name") or k).lower(): k for k, s in (rfm.get("segments") or {}).items()}
    key = by_name.get(label.lower())
    into = next((m.get("into") for m in rfm.get("merged") or [] if isinstance(m, dict) and m.get("from") == key), None) if key else None
    named = ", ".join(_names(rfm, with_customers=True))
    if into:
        into_name = str(((rfm.get("segments") or {}).get(into) or {}).get("name") or into)
        return f"'{label}' labels nobody in {where}: its customers were too few and joined '{into_name}', which the files label them with; key the rule on '{into_name}'"
    if key:
        return f"'{label}' holds no customers in this run, so nobody in {where} carries it and the rule matches nobody: key it on a segment with customers ({named})"
    return f"'{label}' is not a segment of this run, whose RFM segments are {named}: nobody in {where} carries it, so the rule matches nobody; key it on one of those"


def _foreign_label(text: str, segs: dict, carried: dict[str, str]) -> tuple[str, str] | None:
    """The first label of a segmentation (or a built-in RFM name) that ``carried`` lacks, named
    where a rule names a tag or segment value: (the label as written, its segmentation)."""
    labels = [(name, seg) for seg, v in segs.items() for name in _names(v)]
    known = {name.lower() for name, _ in labels}
    labels += [(name, "rfm") for name in BUILT_IN_RFM_NAMES if name.lower() not in known]
    labels += [(name, seg) for seg, names in BUILT_IN_LABELS.items() if seg not in segs for name in names if name.lower() not in known]
    for label, seg in sorted(labels, key=lambda ls: -len(ls[0])):
        if label.lower() in carried:
            continue
        for a, b in name_spans(label, text):
            if (_VALUE_BEFORE.search(text[:a]) or _VALUE_AFTER.match(text, b)) and not _PLAN_THING_AFTER.match(text, b):
                return text[a:b], seg
    return None


# A rule that leaves the holdout out, in the files' words ('Holdout is not true', 'holdout =
# false', Mailchimp's 'does not have the tag Holdout') or plain ones ('excluding the holdout',
# 'leave out held-out customers').
_HELD = r"(?:(?:the|those\s+in\s+the|anyone\s+in\s+the|customers\s+in\s+the|contacts\s+in\s+the|profiles\s+in\s+the)\s+)?(?:holdout|hold-out|held[-\s]out)(?:\s+(?:customers|contacts|profiles|accounts|group|tag|property|ones))?"
HOLDOUT_LEFT_OUT = re.compile(
    # 'excluding contacts whose holdout is true', 'except those tagged Holdout'
    r"\b(?:exclud(?:e|es|ed|ing)|leav(?:e|es|ing)\s+out|left\s+out|except(?:\s+for)?|skip(?:s|ping)?|omit(?:s|ting)?|suppress(?:es|ed|ing)?|minus|without|apart\s+from|but\s+not)\s+(?:[\w-]+\s+){0,4}?(?:holdout|hold-out|held[-\s]out)\b"
    # 'if Holdout is true, send no note', 'profiles whose Holdout is true are suppressed from it' (a trial's)
    r"|\bholdout\s+(?:is\s+)?(?:true|checked|set)\b[^.;]{0,50}?(?:\bsend\s+(?:no|nothing)\b|\b(?:are|is|get|gets|stay|stays)\s+(?:suppressed|skipped|excluded|left\s+out)\b|\b(?:do\s+not|don't|never)\s+(?:send|text|email|call|contact)\b|\bno\s+(?:email|text|sms|note|message|call)s?\b)"
    rf"|\b(?:not\s+in|outside)\s+{_HELD}"
    rf"|\b(?:leav(?:e|es|ing)|keep(?:s|ing)?)\s+{_HELD}\s+out\b"
    r"|\bholdout(?:\s+(?:property|field|column|flag|checkbox))?(?:\s+(?:is\s+not\s+(?:equal\s+to\s+)?(?:true|checked|set)|isn't\s+(?:true|checked|set)|is\s+(?:false|unchecked|empty)"
    r"|equals\s+false|unchecked|not\s+(?:true|checked|set))|\s*(?:==?|:)\s*['\"]?false|\s*!=\s*['\"]?true)"
    r"|\b(?:not|n't)\s+(?:have\s+|carry\s+|been\s+)?(?:the\s+)?(?:tag(?:ged)?\s+)?['\"]?(?:holdout|held[-\s]out)"
    rf"|{_HELD}\s+(?:(?:is|are|stays?|remains?)\s+)?(?:excluded|left\s+out|skipped|omitted)",
    re.IGNORECASE,
)
# What a rule does that is a campaign: it sends customers something, enrols them in a flow,
# list or sequence, or sets staff on them (a call, a task, an account owner); a flow named in
# a condition ('after the win-back flow ends') is none. Removing or suppressing them ('remove
# them from sales sequences', 'move the contact to the suppressed list') or routing what they
# send in ('route chats to the priority inbox') reaches nobody.
OUTREACH = re.compile(
    r"\b(?:send|sends|sending|e-?mails?|emailing|texts?|texting|sms|calls?|calling|phone|phoning|ring|messages?|messaging|mail|mailing|postcards?|letters?|newsletters?"
    r"|offers?|vouchers?|coupons?|outreach|contact\s+(?:them|each|every)|reach\s+out|follow[-\s]?ups?|check-?ins?|tasks?|enrol\w*|enroll\w*|enters?|start|starts"
    r"|subscribe|add|adds|assign\w*|notify|notifies|alerts?|invite\w*)\b",
    re.IGNORECASE,
)
_SUPPRESSION = re.compile(
    r"\b(?:remov|suppress|unsubscrib|stop|exit|paus)\w*\b(?:(?!\band\b)[^.;,])*"
    r"|\b\w+\s+(?:them|(?:the|each|every)\s+(?:contacts?|profiles?|customers?))\s+to\s+(?:the\s+|a\s+)?suppress\w*\s+list\b",
    re.IGNORECASE,
)
# The holdout reached on purpose, said in the rule: a small B2B seller's account manager calls
# every top account, held out or not (a wholesaler trial). What that rule adds goes unmeasured,
# which the words make plain in the plan and the report.
HOLDOUT_INCLUDED = re.compile(r"\b(?:includ(?:e|es|ed|ing)|and\s+also)\s+(?:the\s+)?(?:holdout|hold-out|held[-\s]out(?:\s+(?:customers|contacts|accounts|profiles))?)\b", re.IGNORECASE)

# A message that serves a customer's own payment or order, not a campaign: held-out customers
# get the card-update email after a failed payment like everyone else (the holdout measures
# campaigns, and withholding it would lose their payments).
SERVICE_MESSAGE = re.compile(
    r"\b(?:card[-\s]update|update\s+(?:their|the|a)\s+(?:card|payment\s+(?:details|method))|failed\s+(?:payments?|renewals?|charges?)|payment\s+(?:failures?|problems?|errors?)"
    r"|dunning|receipts?|order\s+confirmations?|(?:shipping|delivery|dispatch)\s+(?:notices?|confirmations?|updates?))\b",
    re.IGNORECASE,
)
# The condition that leaves the holdout out, in each file's words (reference/crm-exports.md).
HOLDOUT_CONDITION = {"klaviyo.csv": "Holdout is not true", "hubspot.csv": "holdout is not true", "mailchimp.csv": "does not have the tag Holdout", "segments_generic.csv": "holdout is false"}


def _holdout_left_in(doc: dict, fact_segments: dict, held_out: Any) -> list[Problem]:
    """A trial's rules phoned, texted and emailed whole segments, held-out customers with them:
    what the campaigns add shows only against those they left out (compute/holdout.py), so a
    rule that reaches a segment's customers in a tool that imports the files leaves them out. A
    holdout of fewer than MIN_RATE_CUSTOMERS is too small to compare (the report and the brief
    tell the user they may contact them), and one of nobody is none: the rules may include them.
    A tool that imports no file (Shopify Flow, Stripe Billing) has no holdout column to filter
    on, and a service message (a card-update email) is no campaign."""
    held = _number(held_out)
    if held is None or held < MIN_RATE_CUSTOMERS:
        return []
    out = []
    for i, rule in _items(doc, "automation_rules"):
        text, crm = rule.get("rule"), rule.get("crm")
        if not (isinstance(text, str) and isinstance(crm, str) and rule.get("segment") in fact_segments and (EMAIL_TOOLS.search(crm) or GENERIC_IMPORTERS.search(crm))):
            continue
        if HOLDOUT_LEFT_OUT.search(text) or HOLDOUT_INCLUDED.search(text) or SERVICE_MESSAGE.search(text) or not OUTREACH.search(_SUPPRESSION.sub(" ", text)):
            continue
        out.append(Problem(f"automation_rules[{i}].rule", "holdout_not_excluded", (
            f"the rule reaches '{rule['segment']}' with its held-out customers: the CRM files mark about one in ten of each segment as held out ({held:,.0f} in all, {{exports.held_out}}), "
            f"and every campaign and automation rule leaves them out, so that what the campaigns add can be measured against them; add the condition ('{HOLDOUT_CONDITION[crm_file(crm)]}' in {crm}), "
            "or, when these customers must be reached all the same (an account manager's call to every top account), say so in the rule ('including the holdout'): what it adds then goes unmeasured")))
    return out
