"""Who the email-tool files reach: email channels and email-tool rules for a segment none of
whose customers the files hold, texts and ad-audience uploads for a segment that opted out of
marketing, and a segment's count told as the people an email reaches. Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.claims import _SEGMENT_FACT
from custseg.strategy.document import _items
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER

# Channels and tools that reach customers through the email-tool files (exports/).
EMAIL_CHANNEL = re.compile(r"e-?mail|newsletter|klaviyo|mailchimp|hubspot", re.IGNORECASE)
# Channels that reach people without their email: an email word after one of them is what
# it leads to ('Packaging insert with a QR code to join the email list'), not a mailing.
NON_EMAIL_CHANNEL = re.compile(
    r"\binserts?\b|packag|\bqr\b|in-?store|\bsocial\b|\bads?\b|advert|\bsms\b|\btexts?\b|tiktok|instagram|facebook|\bmeta\b|direct\s+mail|postcards?|\bphone\b|\bcalls?\b|whatsapp|on-?site|pop-?ups?|retargeting",
    re.IGNORECASE,
)
# An email word joined to another channel as a channel of its own ('SMS and email', 'Ads, then email').
_ALSO_EMAIL = re.compile(r"(?:\band\b|\bthen\b|\bplus\b|\bor\b|[,+&/])\s*(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


# Channels that collect consent to email ('Checkout email opt-in', 'Email sign-up form on the
# thank-you page'): they email nobody, unless the channel also sends ('re-permission email').
LIST_BUILDING = re.compile(
    r"\bopt-?ins?\b|\bsign-?ups?\s+(?:box|form|field|check-?box|prompt|pop-?up|widget|page|link)\b|\bsubscribe\s+(?:box|form|field|prompt|check-?box|widget|link|button)\b"
    r"|\bcheck-?box\b|\b(?:e-?mail|list|subscriber)\s+(?:capture|collection|sign-?ups?|growth|building)\b|\bjoin\s+(?:the|our)\s+(?:[\w-]+\s+){0,2}?list\b|\blist[-\s]building\b",
    re.IGNORECASE,
)
SENDS = re.compile(r"\bcampaigns?\b|\bflows?\b|\bsequences?\b|\bblasts?\b|\bre-?(?:permission|opt\w*|engage\w*|activat\w*)\b|\bsend\w*\b|\breminders?\b|\bdigests?\b|\bseries\b|\bwin-?back\b|\bfollow-?ups?\b", re.IGNORECASE)


def emails_segment(channel: str) -> bool:
    """Whether a targeting channel emails the segment: it names email and is not another
    channel that merely leads to the email list, nor one that only collects consent to it."""
    if LIST_BUILDING.search(channel) and not SENDS.search(channel):
        return False
    mail = EMAIL_CHANNEL.search(channel)
    other = NON_EMAIL_CHANNEL.search(channel)
    if not mail or not other or mail.start() < other.start():
        return bool(mail)
    return bool(_ALSO_EMAIL.search(channel[other.end(): mail.start()]))


# Channels that use a customer's contact details other than email: texts, and ad audiences
# built by uploading the customer list. Opted-out customers must not get either.
TEXT_CHANNEL = re.compile(r"\bsms\b|\bmms\b|\btext\s+messag\w*|\btexts?\b|whatsapp", re.IGNORECASE)
AUDIENCE_UPLOAD = re.compile(r"custom\s+audiences?|customer\s+(?:list|match)|\bupload\w*|lookalike|matched\s+audiences?|audience\s+(?:sync|match)", re.IGNORECASE)


def _emails_held(exports: dict) -> bool:
    """Whether the export carried emails: without any, the files say nothing about who has one."""
    return isinstance(exports.get("reachable_by_segment"), dict) and bool(exports.get("reachable") or exports.get("left_out_no_consent"))


def _people(key: str, exports: dict, segmentation: str, fact_segments: dict) -> int:
    """How many people a segment key (or a group the CRM files add) stands for in the files."""
    if key in (exports.get("groups") or {}):
        return sum((exports.get(k) or {}).get(key, 0) for k in ("reachable_by_segment", "left_out_no_consent", "left_out_no_email", "left_out_channel"))
    return ((fact_segments.get(key) or {}).get("count") or 0) if segmentation == "rfm" else 0


def unreachable_segments(facts: dict, segmentation: str, fact_segments: dict) -> dict[str, str]:
    """The segments (and the groups the CRM files add) with people in them of whom the
    email-tool files hold none, each with why ('3 opted out of marketing'): an email to one
    reaches nobody. Empty when the export held no emails (the user's own tools may email by
    source_id) and, but for the groups, unless the segmentation is RFM, by which the files are
    labelled. The phase briefs' example rules follow it, so they suggest nothing this refuses."""
    exports = facts.get("exports") or {}
    if not _emails_held(exports):
        return {}
    reach = exports["reachable_by_segment"]
    opted_out, no_email = exports.get("left_out_no_consent") or {}, exports.get("left_out_no_email") or {}
    channel_only = exports.get("left_out_channel") or {}
    out = {}
    for key in [*(exports.get("groups") or {}), *fact_segments]:
        if isinstance(key, str) and _people(key, exports, segmentation, fact_segments) and not reach.get(key, 0):
            why = ([f"{opted_out[key]:,} opted out of marketing"] if opted_out.get(key) else []) + ([f"{no_email[key]:,} have no usable email"] if no_email.get(key) else [])
            why += [f"{channel_only[key]:,} bought only through a sales channel the user left out, whose buyers are not theirs to email"] if channel_only.get(key) else []
            out[key] = " and ".join(why) or "none is in the email-tool files"
    return out


def _channels(doc: dict) -> list[tuple[str, Any, Any]]:
    """(path, segment key, channel) of every channel the plan names: the targeting matrix's
    cells, then each segment's own channels."""
    cells = doc.get("targeting_matrix") if isinstance(doc.get("targeting_matrix"), list) else []
    out = [(f"targeting_matrix[{i}].channel", c.get("segment"), c.get("channel")) for i, c in enumerate(cells) if isinstance(c, dict)]
    strat = doc.get("segments") if isinstance(doc.get("segments"), dict) else {}
    for key, fields in strat.items():
        channels = fields.get("channels") if isinstance(fields, dict) else None
        out += [(f"segments.{key}.channels[{i}]", key, ch) for i, ch in enumerate(channels if isinstance(channels, list) else [])]
    return out


def _nobody_texts(exports: dict, key: Any) -> bool:
    """Whether the export records SMS consent and nobody in the segment with a phone gave it (a
    trial planned texts to top customers of a store whose customers had all said no, a legal
    risk in the US). By-segment counts keep zeros, so a key missing from them is of another
    segmentation: nothing to say."""
    agreed = exports.get("sms_consent_yes_by_segment") or {}
    return bool(exports.get("sms_consent_recorded")) and isinstance(key, str) and key in agreed and not agreed[key]


# A rule or pathway that texts people: 'text them the code', 'send an SMS', 'WhatsApp message'
TEXTING = re.compile(r"\b(?:sms|mms|text\s+messag\w*|whatsapp)\b|\btext(?:s|ing)?\s+(?:them|him|her|each|every|all|the\s+\w+|customers|profiles|subscribers|a|an)\b", re.IGNORECASE)
# ... that goes only to those who agreed: 'SMS consent is subscribed', 'sms_consent = yes', 'SMS subscribers'
SMS_CONSENTED = re.compile(
    r"\b(?:sms|text(?:ing)?|text\s+message|whatsapp)\s+(?:marketing\s+)?(?:consent\w*|opt-?ins?|opted\s+in|subscri\w*|permission)"
    r"|\bsms_consent\b|\b(?:consented|subscribed|opted\s+in|agreed|signed\s+up)\s+to\s+(?:receive\s+)?(?:sms|texts?|text\s+messages|whatsapp)\b",
    re.IGNORECASE,
)


def texts_without_consent(doc: dict) -> list[Problem]:
    """An automation rule or a pathway's intervention that texts customers without saying it
    goes only to those who agreed to SMS (a trial's 'text the win-back code to every phone
    number in segments_generic.csv' on an export that recorded no SMS consent): a text to
    someone who did not agree is a legal risk in the US and the EU, whatever the export says."""
    out = []
    places = [(f"automation_rules[{i}].rule", r.get("rule")) for i, r in _items(doc, "automation_rules")]
    places += [(f"pathways[{i}].intervention", p.get("intervention")) for i, p in _items(doc, "pathways")]
    for path, text in places:
        if isinstance(text, str) and TEXTING.search(text) and not SMS_CONSENTED.search(text):
            out.append(Problem(path, "texts_without_consent", (
                "it texts customers without saying only those who agreed to SMS: add the condition (Klaviyo: 'SMS consent is subscribed'; "
                "segments_generic.csv: 'sms_consent is yes'), or reach them another way")))
    return out


# A channel or step that says it takes in those who opted out: 'Meta custom audience of all
# customers incl. opted out' (a trial). The strategy brief says they are not emailed, texted or
# uploaded to ad audiences; the run puts them in the CRM files only when told they consented elsewhere.
OPTED_OUT_INCLUDED = re.compile(
    r"\b(?:incl(?:\.|uding|udes?|uded)?|plus|even|also|as\s+well\s+as|along\s+with|and)\s+(?:(?:the|all)\s+)?(?:(?:those|customers|people|contacts|profiles|subscribers)\s+(?:who\s+(?:have\s+)?)?)?"
    r"(?:opted[-\s]?out|unsubscribed|non-?consent\w*|unconsented)\b"
    r"|\b(?:opted[-\s]?out|unsubscribed|unconsented)\s+(?:customers\s+|contacts\s+|ones\s+|people\s+|profiles\s+)?(?:too|included|as\s+well)\b"
    r"|\bopted[-\s]?(?:in\s+or\s+(?:opted[-\s]?)?out|out\s+or\s+not)\b|\bregardless\s+of\s+(?:their\s+)?(?:marketing\s+)?(?:consent|opt-?outs?|opt-?in)\b|\bwhether\s+or\s+not\s+they\s+(?:opted|consented|agreed)\b",
    re.IGNORECASE,
)
_NOT_BEFORE = re.compile(r"\b(?:not|never|no|without|nor)\s+$", re.IGNORECASE)


def opted_out_included(doc: dict, exports: dict) -> list[Problem]:
    """A channel, pathway, roadmap step or automation rule that emails, texts or uploads to an ad
    audience customers who opted out of marketing, by its own words ('incl. opted out'), unless
    the run was told to include them (--include-unconsented: they consented elsewhere)."""
    if exports.get("include_unconsented"):
        return []
    places = [(path, channel) for path, _, channel in _channels(doc)]
    places += [(f"pathways[{i}].intervention", p.get("intervention")) for i, p in _items(doc, "pathways")]
    places += [(f"automation_rules[{i}].rule", r.get("rule")) for i, r in _items(doc, "automation_rules")]
    places += [(f"roadmap[{i}].actions[{j}]", a) for i, step in _items(doc, "roadmap") for j, a in enumerate(step.get("actions") if isinstance(step.get("actions"), list) else [])]
    out = []
    for path, text in places:
        said = OPTED_OUT_INCLUDED.search(text) if isinstance(text, str) else None
        if not said or _NOT_BEFORE.search(text, 0, said.start()) or not (AUDIENCE_UPLOAD.search(text) or TEXT_CHANNEL.search(text) or EMAIL_CHANNEL.search(text)):
            continue
        how = "uploaded to an ad audience" if AUDIENCE_UPLOAD.search(text) else "texted" if TEXT_CHANNEL.search(text) else "emailed"
        out.append(Problem(path, "unreachable_segment", (
            f"'{said.group(0)}': customers who opted out of marketing must not be {how}, and the CRM files leave them out; "
            "build it from the files' customers only, or reach the rest with a channel that does not use their contact details (on-site, packaging inserts, the sales channel's own offers)")))
    return out


def reach_problems(doc: dict, facts: dict, segmentation: str, fact_segments: dict) -> list[Problem]:
    """Email aimed at a segment whose customers the email-tool files do not hold (no email,
    opted out), in the targeting matrix, a segment's own channels or an email tool's rules: it
    would reach nobody, and opted-out customers must not be emailed; nor texted or uploaded to
    an ad audience. The email checks only when the export carried emails: without any, the
    files say nothing about who has one. Texts, too, only to a segment someone in which agreed
    to them, where the export records SMS consent. The files are labelled by RFM segment, and
    by the groups they add (payment_failed), whatever the segmentation."""
    exports = facts.get("exports") or {}
    emails = _emails_held(exports)  # without any, the user's own tools may email by source_id
    opted_out = exports.get("left_out_no_consent") or {}
    blocked = unreachable_segments(facts, segmentation, fact_segments) if emails else {}

    def people(key: Any) -> int:
        return _people(key, exports, segmentation, fact_segments) if isinstance(key, str) else 0

    def unreachable(key: Any) -> str | None:
        return blocked.get(key) if isinstance(key, str) else None

    def channel_problems(path: str, key: Any, channel: Any) -> list[Problem]:
        if not isinstance(channel, str):
            return []
        if TEXT_CHANNEL.search(channel) and key in fact_segments and _nobody_texts(exports, key):
            return [Problem(path, "unreachable_segment", f"nobody in '{key}' has a phone and agreed to SMS marketing (the export's SMS consent; exports.sms_consent_yes_by_segment), so they must not be texted; phone calls to those with a phone, or a channel that does not use their contact details, may take its place")]
        if not emails:
            return []
        instead = "give its share to" if path.startswith("targeting_matrix") else "put in its place"
        why = unreachable(key) if emails_segment(channel) else None
        if why:
            return [Problem(path, "unreachable_segment", f"no customer of '{key}' can be emailed ({why}); {instead} a channel that does not use contact details (on-site, packaging inserts, the sales channel's own offers)")]
        if people(key) and opted_out.get(key, 0) >= people(key) and (TEXT_CHANNEL.search(channel) or AUDIENCE_UPLOAD.search(channel)):
            how = "texted" if TEXT_CHANNEL.search(channel) else "uploaded to an ad audience"
            return [Problem(path, "unreachable_segment", f"every customer of '{key}' opted out of marketing ({opted_out[key]:,}), so they must not be {how}; {instead} a channel that does not use their contact details (on-site, packaging inserts, the sales channel's own offers)")]
        return []

    out = [p for path, key, channel in _channels(doc) for p in channel_problems(path, key, channel)]
    if not emails:
        return out
    rules = doc.get("automation_rules") if isinstance(doc.get("automation_rules"), list) else []
    channel_only = exports.get("left_out_channel") or {}
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and isinstance(rule.get("segment"), str) and channel_only.get(rule["segment"]):
            # whatever the tool: the user left the channel out because its buyers are not theirs to contact
            out.append(Problem(f"automation_rules[{i}].segment", "unreachable_segment", (
                f"'{rule['segment']}' holds people who bought only through a sales channel the user left out (a marketplace's customers or wholesale accounts): "
                "they are not the user's to contact, and the email-tool files leave them out; drop this rule")))
            continue
        why = unreachable(rule.get("segment")) if isinstance(rule, dict) and isinstance(rule.get("crm"), str) and EMAIL_CHANNEL.search(rule["crm"]) else None
        if why:
            out.append(Problem(f"automation_rules[{i}].segment", "unreachable_segment", f"the {rule['crm']} file holds no one of '{rule['segment']}' ({why}), so this rule would reach nobody; drop it or set it up in a tool that acts without contact details"))
    return out


_REACH_BEFORE = re.compile(r"\b(?:reach(?:es|ing)?|e-?mail(?:s|ing)?|messag(?:e|es|ing)|contact(?:s|ing)?|(?:send(?:s|ing)?|sent|goes|going|went|mailed|delivered)\s+(?:out\s+)?(?:it\s+|this\s+)?to)\s+(?:(?:all|every\s+one\s+of|each\s+of|all\s+of|the|its|their|these)\s+)*$", re.IGNORECASE)
# '{...count} subscribers, all of whom can be reached by email', '{...count} customers are on the email list'
_REACH_AFTER = re.compile(
    r"\s*,?\s+(?:[\w'-]+,?\s+){0,4}?(?:(?:can\s+(?:all\s+)?be|are(?:\s+all)?|is|will\s+(?:all\s+)?be|get)\s+"
    r"(?:reached|emailed|contacted|reachable|emailable|(?:on|in)\s+(?:the|our|your)\s+(?:[\w-]+\s+){0,2}?(?:e-?mail(?:ing)?\s+|mailing\s+|newsletter\s+|subscriber\s+)?(?:list|audience)|subscribed)|reachable|emailable"
    # '{...count} subscribers we can reach on Shopify Email'
    r"|(?:we|you)\s+can\s+(?:all\s+)?(?:reach|e-?mail|contact|message)|(?:we|you)\s+(?:reach|e-?mail)\s+(?:on|through|via|with|by))\b",
    re.IGNORECASE,
)
# Words between a count and 'can be emailed' that make it a part of them: 'some of whom', 'those with an email'
_PART_OF_THEM = re.compile(r"\b(?:some|few|fewer|those|part|many|most|half|only|not|none|who|that|which|with|without|if|once|when)\b", re.IGNORECASE)


def count_as_reach(path: str, text: str, facts: dict) -> list[Problem]:
    """'Email reaches all {...dormant.count}': the count is every customer of the segment, the
    email-tool files hold fewer (no email, opted out), or none at all when the export held no
    email address (then whatever the segmentation). Per segment only for the RFM segments, by
    which the files are counted."""
    exports = facts.get("exports") or {}
    reach = exports.get("reachable_by_segment")
    if not isinstance(reach, dict):
        return []
    no_email = not exports.get("reachable") and not exports.get("left_out_no_consent")
    segs = facts.get("segmentations") or {}
    out = []
    for m in PLACEHOLDER.finditer(text):
        owner = _SEGMENT_FACT.match(m.group(1))
        if not owner or m.group(1)[owner.end():] != "count" or not (no_email or owner.group(1) == "rfm"):
            continue
        cited, seg = owner.groups()
        count = (((segs.get(cited) or {}).get("segments") or {}).get(seg) or {}).get("count") or 0
        held = 0 if no_email else reach.get(seg, 0)
        after = _REACH_AFTER.match(text[m.end():])
        if after and _PART_OF_THEM.search(after.group(0)):
            after = None
        if held >= count or not (_REACH_BEFORE.search(text[: m.start()]) or after):
            continue
        people = "users" if (segs.get(cited) or {}).get("basis") == "activity" else "customers"
        if no_email:
            out.append(Problem(path, "count_cited_as_reach", f"{{{m.group(1)}}} counts all {count:,} {people} of '{seg}', but the export held no usable email address, so the email-tool files hold none of them (segments_generic.csv lists them by source_id): say the email goes to those of them your own tool holds an address for, without a count"))
        else:
            hold = f"hold {held:,} of them (the others have no email or opted out)" if held else "hold none of them (every one opted out or has no email)"
            instead = f"cite {{exports.reachable_by_segment.{seg}}} for the people an email reaches" if held else "say that nobody in it can be emailed, and reach them without their contact details (on-site, packaging inserts)"
            out.append(Problem(path, "count_cited_as_reach", f"{{{m.group(1)}}} counts all {count:,} {people} of '{seg}', but the email-tool files {hold}: {instead}"))
    return out


