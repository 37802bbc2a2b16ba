"""What check.py reports: each problem's path, stable code and message, and what every code means."""

from __future__ import annotations

from dataclasses import dataclass

# code -> what it means (also the list `segment check --help` users and the skill read)
CODES: dict[str, str] = {
    "schema": "a field is missing, unknown, empty or of the wrong type",
    "unknown_segmentation": "the document covers a segmentation that facts.json does not have",
    "unknown_segment": "a segment key that the segmentation does not have",
    "merged_segment": "a segment merged into another as too small, so it holds no customers: name the segment it joined",
    "unknown_fact": "a {placeholder} names no fact key of facts.json",
    "null_fact": "a {placeholder} names a fact that has no value for this data",
    "placeholder_syntax": "a fact written as {{key}}; placeholders take single braces",
    "missing_segment": "a segment with customers has no strategy",
    "dormant_unaddressed": "a dormant or lapsed segment with customers has no strategy",
    "too_many_segments": "more than six segments: too many to run differently",
    "pathway_incomplete": "a pathway lacks its trigger, intervention, success metric, investment or expected outcome",
    "unknown_metric": "a trigger, success metric or KPI names no computed metric",
    "figure_in_text": "a figure typed in free text instead of a fact reference or a typed field",
    "duplicate_persona": "a persona repeats another segment's persona",
    "duplicate_strategy": "a segment's goal, offers or messaging repeat another segment's",
    "baseline_not_fact": "a KPI baseline is not exactly one fact reference",
    "budget_over": "targeting budget shares add up to more than the whole budget",
    "empty_section": "a required part of the plan is empty (pathways may be empty only when one segment holds every customer)",
    "segment_without_kpi": "a segment with a strategy has no KPI",
    "unreachable_segment": "an email channel (in the targeting matrix or the segment's own channels) or an email-tool automation rule for a segment or group none of whose people the email-tool files hold (a channel that only leads to the email list or collects consent to it, like a packaging insert with a QR code or a checkout email opt-in, does not email); or texts or an uploaded ad audience (custom audience, customer list) for a segment whose customers all opted out of marketing",
    "kpi_target_backwards": "a KPI target worse than its baseline (lower for a rate, spend or score; higher for days since the last purchase; for a segment's size, higher for a lapsed, dormant or at-risk segment at the bottom of the ranking and lower for the top one)",
    "kpi_at_limit": "a KPI whose baseline is already at its limit (a rate of 1.0, 100%), so no target can improve on it",
    "rate_not_fraction": "a rate or share written as a percentage (15) where a fraction (0.15) is meant",
    "baseline_other_metric": "a KPI baseline cites a fact of another kind than its metric (a count for a rate), or of the same kind on another base (a share of all customers, pct_customers, for a repeat rate; spend per customer, avg_value, for spend per order, aov)",
    "baseline_other_segment": "a KPI baseline cites a fact of another segment or segmentation than the KPI's own segment",
    "pathway_downward": "a pathway leads to a segment ranked below (or the same as) the one it starts from",
    "plan_over_budget": "the pathways cost more money or staff hours over the roadmap than the plan's budget allows",
    "display_name_clash": "a segment's display name is a name the facts give another group of customers: another segment's name or display name in the plan, a segment or stage of another segmentation ('Lapsed' for RFM Dormant beside the lifecycle's Lapsed stage) or a group of the CRM files; or a display name that holds another segment's name of the same segmentation as a whole word ('VIP Champions' on Dormant; its own name inside, as 'Loyal Regulars' on Loyal, is fine)",
    "rule_display_name": "an automation rule names a segment by the plan's display name, where the CRM files carry the computed segment name",
    "pathway_target_backwards": "a pathway's success target worse than where its from-segment already is (lower for a rate, spend or score; higher for days since the last purchase or activity), or on the wrong side of the pathway's own trigger on the same metric",
    "trigger_outside_segment": "a pathway trigger no customer of its from-segment can meet: the segment's definition in facts.json rules the threshold out",
    "buying_words_on_activity": "an activity figure of an event log (a usage group's active days, days since active or repeat rate; lifecycle and health built on events) told in words of buying ('bought on', 'repeat buyers', 'last order'): in a plan on usage, anywhere in its sentence; in a plan on purchases, in its own clause",
    "unknown_confirmation": "confirmed names a warning kind that cannot be answered (consent_unknown, data_age, marketplace, opted_out are)",
    "confirmation_without_warning": "confirmed answers a warning this run did not give",
    "pathway_beyond_share": "the pathways from a segment cost more over the roadmap than its targeting shares of the budget (plus the part no cell took): the shares and the pathways spend the same money",
    "claim_contradicts_fact": "words about a segment that its own facts contradict: 'most of the revenue' from a segment with less than half (or on data that holds no revenue), 'their numbers are growing' when its trend is declining or stable ('holding steady' when it moves), 'the main source of our growth' unless it is growing, bought last period and gained most of the customer base, 'most bought several times' when most bought once (or 'most bought only once' when most came back), 'they are the biggest spenders', 'bigger orders than the Champions', 'bring more revenue than the Inner Circle' or 'more customers than Loyal' when the facts rank them otherwise (by name or display name), 'most buy only at Christmas' when most buy across quarters, 'they only buy at Black Friday' when any of their spend fell in another quarter, a buying habit read off the quarter a segment's own recency window puts its customers in, 'they stopped paying months ago' when they last bought a median few weeks ago ('years ago' when within the year; for usage groups, 'stopped visiting' against the days since they were last active) or 'they bought recently' when months ago; 'currently active', 'our most loyal, active fans', 'our best customers', 'they shop with us every month' or 'keep ordering every season' of a segment a median of months quiet, 'still bring {...revenue_share} of our revenue today' (a share of all revenue in the data) of a segment that spent nothing in the last period, 'comes back within a week' of one whose repeat buyers wait a median of weeks, 'bought again and again' or 'our most loyal customer' of one where nobody bought twice, 'renewed for months' or 'long-term subscribers' on data that covers less time; 'they joined this month' of a segment whose customers last bought a median of months ago (a first purchase comes no later than the last), whose lifecycle tenure band starts later, or few of whom first bought in the last period (migration.entered)",
    "fact_unit_mismatch": "a fact reference followed by a unit of another kind ('{...count} days', '{...repeat_rate} USD', '{...median_recency_days} weeks' of a fact shown in days), a share followed by the other base ('{...revenue_share} of our customers', '{...pct_customers} of revenue'), a rate read as a chance of leaving ('{...repeat_rate} likely to churn', 'churn risk of this customer is {...}'), or a sized move's amount, which is per period of period_days days, given per month or year, as a lasting gain ('every month from now on') or with no period ('The upside is {...value_per_10pct}.'); a figure over all the data (revenue_share, revenue, avg_value) told as a share of current or monthly sales or per a span the data does not cover ('{...avg_value} a month'); next_repeat_rate, the share who bought again in the next period of period_days days, given for another window or as each customer's chance ('each with a {...next_repeat_rate} chance of ordering next month')",
    "rule_column_not_in_file": "a rule on a column the file its tool imports does not have (recency_days in Klaviyo, a segment's repeat_rate anywhere, Klaviyo's Outstanding Payment in Mailchimp, outstanding_payment on a run whose data records no payments owed): the CRM cannot filter on it",
    "rule_key_for_email_tool": "a rule that names a segment by its key (at_risk) where the file it reads holds the name (At Risk): Klaviyo, HubSpot and Mailchimp files, and segment_name in any file",
    "target_outside_segment": "a pathway's success target outside its to-segment, or a KPI target on a segment's defining metric outside its band: the segment's definition rules it out; or a KPI count target above the whole base segmented",
    "pathway_impossible": "a pathway to a segment its customers can never reach by the segmentation's definition (purchase days and tenure never fall; only a purchase makes the last one recent)",
    "purchase_metric_in_usage_plan": "a trigger, success metric or KPI of a plan on usage groups (behavioral segments of an event log) names a purchase metric instead of active_days_30 or days_since_active",
    "rule_wrong_column": "an automation rule for a usage group keys on the segment or segment_name column, which carry the RFM segment; only the behavior column carries usage groups",
    "fact_of_other_segment": "a fact of one segment given as a figure of another ('{...loyal.next_repeat_rate} of First-Timers'; 'they spend {...champions.avg_value}' or 'a repeat rate of {...champions.repeat_rate}' in Loyal's own text, and 'Regulars, who bought again at {...champions.next_repeat_rate}' anywhere, naming neither Champions nor a comparison; '{...health.segments.struggling.count} of them'); or another move's sized amount in a pathway or a segment's text ('{...dormant_to_loyal.value_per_10pct}' in the At Risk -> Loyal pathway), unless the sentence names whose move it is",
    "count_cited_as_reach": "a segment's count given as the people an email reaches ('email reaches all {...count}', '{...count} subscribers, all of whom can be reached by email', 'all {...count} of them are on our Shopify Email list', 'the {...count} subscribers we can reach'), when fewer of them can be emailed (no email, opted out), or none (the export held no email address: then of any segmentation)",
    "rule_value_not_in_file": "a rule in a CRM that imports one of the files on a label that file does not carry (a health band among Mailchimp's tags, which hold the RFM segment names, the files' groups and the lifecycle and value labels; an RFM segment this run does not have, or that was merged away or holds nobody: 'Segment equals Dormant' when Dormant joined At Risk): the CRM holds no customer with it",
    "promise_in_text": "money or revenue promised as certain ('{...outstanding_value} of guaranteed revenue', 'will definitely bring in another thousand euros'), a what-if told as what the plan will bring ('the {...value_per_10pct} this campaign will bring in', 'expect this flow to add {...value_per_10pct}', 'will add {data.failed_payments.outstanding_value}'), past spend told as the gain ('winning them back adds {...at_risk.revenue}', 'will bring in {...avg_value} more each'), or what customers will do ('this flow will win back most of them', 'most Lapsed VIPs will come back', 'they will certainly buy a third time'): a plan expects, it cannot guarantee, what customers do and pay",
    "claim_not_in_data": "a claim about customers on something the data does not record, stated as fact ('our evening sign-ups', 'who shop at night': no time of day or week is in the facts; 'they mostly buy gift cards': no products are; 'most of our referrals come from them': no referrals are; 'statistically proven repeat buyers' or 'which proves they ...': the facts test nothing; 'who mostly pay with Klarna': no payment methods are; 'found us through Instagram': no acquisition channels are; 'most of them paid in instalments' or 'paid in full up front': the facts count instalments only across the export; 'they joined this month' where no fact says when most of them first bought, as on a short export of subscription renewals); given as the user's own observation ('you told us ...') it may stand",
    "baseline_too_few": "a KPI baseline that is a next-period rate of fewer than 20 customers (3 of 4 who bought again read as 75.0%): one customer moves it by five points or more, so a target cannot be read against it",
    "target_between_steps": "a KPI rate target a segment's size cannot reach: a rate over n customers moves in steps of 1/n (a repeat rate of one customer is 0 or 1, so not 0.5)",
    "budget_not_users": "the plan's budget (money or staff hours per period) is more than the user's budget answer in answers.json names ('£800 a month' and a plan of 5,000 a month; 2,400 a quarter is 800 a month), the plan types an amount where the user gave no money ('a few hours a week'), or the whole plan has no budget where the user gave one; an answer in another currency than the data's is not compared",
    "target_beyond_data": "a KPI or pathway success target on a rate of a segment's own customers (repeat_rate, next_repeat_rate) above the highest value any segment of the segmentation reached (an At Risk next-period rate of 0.7 where the best segment, Champions, reached 0.656), or a pathway's above its to-segment's own rate (0.6 for At Risk -> Loyal where Loyal reached 0.363): no customers in the data did that; the best segment may aim above its own",
    "fraction_not_count": "a count of customers given a fraction as its target or trigger (0.05 for a segment of 215): a share typed where a number of people is meant",
    "offer_over_price": "a percent discount of more than 100: it would pay the customer to take the product",
}


@dataclass
class Problem:
    path: str  # e.g. segments.champions.persona, pathways[0].trigger.metric
    code: str  # one of CODES
    message: str  # what is wrong and what to do, without the path

    def line(self) -> str:
        return f"{self.path or '(document)'}: {self.message} [{self.code}]"
