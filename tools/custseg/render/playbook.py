"""The default per-segment playbook, used when no strategy was written for the data.

It is generic advice, the same for every business: the report labels it "Default
playbook (not tailored to your data)". On purpose it holds no figures at all (not a
single digit), so it can never be mistaken for a number computed from the export.
Standard library only: this module ships inside the skill.
"""

from __future__ import annotations

# Field order and the label the report prints for each field.
FIELDS: tuple[tuple[str, str], ...] = (
    ("goal", "Goal"),
    ("frequency", "Communication frequency"),
    ("tone", "Tone"),
    ("offers", "Offers"),
    ("service", "Service level"),
    ("messaging", "Messaging"),
)

PLAYBOOK: dict[str, dict[str, str]] = {
    "champions": {
        "goal": "Keep them close and grow what they buy; turn them into advocates.",
        "frequency": "Weekly or every other week, and only with something worth opening.",
        "tone": "Grateful and exclusive: speak to them as insiders.",
        "offers": "Early access to new products, member-only perks, loyalty rewards, and an invitation to review or refer rather than discounts.",
        "service": "Priority handling and one named person to contact.",
        "messaging": "\"You are one of the customers who keep us going, so you get this before anyone else.\"",
    },
    "loyal": {
        "goal": "Raise their value and deepen the buying habit.",
        "frequency": "Every other week or monthly.",
        "tone": "Helpful and practical; teach rather than sell.",
        "offers": "Relevant add-ons, bundles, and a clear path into the loyalty tier.",
        "service": "Standard service with quick replies.",
        "messaging": "\"Here is how to get even more out of what you already buy from us.\"",
    },
    "new": {
        "goal": "Win the second purchase and start a habit.",
        "frequency": "A short welcome series in the days after the first order, then weekly.",
        "tone": "Welcoming and guiding.",
        "offers": "Getting-started help, quick wins, and a reason to come back for a second order.",
        "service": "Onboarding focus: answer first questions fast.",
        "messaging": "\"Welcome! Here is the easiest next step.\"",
    },
    "needs_attention": {
        "goal": "Move them towards regular buying before they drift away.",
        "frequency": "Every other week.",
        "tone": "Friendly and useful.",
        "offers": "Recommendations based on what they bought before and time-limited offers that prompt the next order.",
        "service": "Standard service; watch for complaints that explain the hesitation.",
        "messaging": "\"Picked for you, based on what you chose last time.\"",
    },
    "at_risk": {
        "goal": "Re-engage them before they stop buying for good.",
        "frequency": "A short, focused outreach sequence over a few weeks; stop if there is no response.",
        "tone": "Personal and caring, never pushy.",
        "offers": "A reason to come back: a tailored incentive, a free extra, or content tied to what they used to buy.",
        "service": "Reach out first, and escalate their issues quickly.",
        "messaging": "\"We noticed it has been a while. Is everything all right?\"",
    },
    "dormant": {
        "goal": "Try one well-aimed win-back, then decide whether to keep them or let them go.",
        "frequency": "One brief win-back campaign, then occasional reminders at most.",
        "tone": "Light and low-pressure.",
        "offers": "Your strongest comeback offer, used once; make unsubscribing easy for those who do not respond.",
        "service": "Self-service; no proactive outreach beyond the campaign.",
        "messaging": "\"We would love to see you again. Here is what has changed since your last visit.\"",
    },
    "best_customers": {
        "goal": "Protect the relationship and expand it.",
        "frequency": "Weekly or every other week, with personal touches.",
        "tone": "Appreciative and exclusive.",
        "offers": "Early access, premium options, and loyalty rewards.",
        "service": "Priority support and a dedicated contact.",
        "messaging": "\"As one of our most valued customers, you are first in line for this.\"",
    },
    "active_repeat": {
        "goal": "Keep them coming back and learn what they value.",
        "frequency": "Every other week, tied to what they bought before.",
        "tone": "Appreciative and personal.",
        "offers": "Early access and rewards for coming back, not discounts.",
        "service": "Quick, personal answers; ask for feedback.",
        "messaging": "\"Thanks for coming back: here is something picked for you.\"",
    },
    "core_customers": {
        "goal": "Grow their spend step by step.",
        "frequency": "Every other week or monthly.",
        "tone": "Helpful and encouraging.",
        "offers": "Bundles, relevant upgrades, and incentives to buy a little more often.",
        "service": "Standard service with quick replies.",
        "messaging": "\"Customers like you also liked these.\"",
    },
    "recent_high_value": {
        "goal": "Confirm the relationship while the big purchase is fresh, and earn the next one.",
        "frequency": "Weekly for a short while, then every other week.",
        "tone": "Appreciative and attentive.",
        "offers": "Premium follow-ups, care and setup help for what they bought, early access to what comes next.",
        "service": "Priority support.",
        "messaging": "\"Thank you for your order. Here is how to get the most out of it.\"",
    },
    "recent": {
        "goal": "Turn a recent purchase into a repeat one.",
        "frequency": "Weekly while the purchase is recent, then every other week.",
        "tone": "Welcoming and helpful.",
        "offers": "Complementary products and a reason to return soon.",
        "service": "Standard service; answer questions about the recent order fast.",
        "messaging": "\"Here is what goes well with your last order.\"",
    },
    "lapsed_high_value": {
        "goal": "Bring valuable customers back with personal attention.",
        "frequency": "A personal outreach sequence over a few weeks.",
        "tone": "Personal and respectful; ask what changed.",
        "offers": "A generous, personal comeback offer or a conversation rather than a mass discount.",
        "service": "Proactive outreach by a person, escalation priority.",
        "messaging": "\"We have missed you. Could we help with anything?\"",
    },
}

# For segment keys the playbook does not know (a user's own rule table, for example).
GENERIC: dict[str, str] = {
    "goal": "Decide what this group should do next (buy again, buy more, or come back) and aim every message at that.",
    "frequency": "Match the group's engagement: more often for active customers, less for quiet ones.",
    "tone": "Clear and relevant to what they bought.",
    "offers": "Offers tied to their past purchases; test one change at a time.",
    "service": "Standard service.",
    "messaging": "\"Based on what you bought before, we think you will like this.\"",
}

# Keeping segments current: the same advice for every business.
SCHEDULE: tuple[str, ...] = (  # left out when a plan sets its own review schedule
    "Every month: rerun the segmentation so each customer's segment follows their latest purchases.",
    "Every quarter: look at segment sizes and trends; are the best segments growing?",
    "Twice a year: check that the segment definitions still fit the business.",
)
MANUAL_EFFORT = "Put manual effort where it pays: the best segments and the segments at risk of leaving."
MANUAL_EFFORT_BEST = "Put manual effort where it pays: the best segments."  # when no segment of customers who went quiet holds anyone
MAINTENANCE: tuple[str, ...] = SCHEDULE + (
    "Automate the routine: tag customers in the CRM from the files in exports/, start an email sequence when a customer enters a segment, and alert the owner when a top customer slips into a risk segment.",
    MANUAL_EFFORT,
)


def playbook_for(key: str) -> tuple[dict[str, str], bool]:
    """The playbook entry for a segment key, and whether it is the generic fallback."""
    entry = PLAYBOOK.get(key)
    return (entry, False) if entry is not None else (GENERIC, True)
