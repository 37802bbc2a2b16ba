"""facts.json: the single source of every number a user or a model sees.

The schema is defined once, here, with standard-library dataclasses so the skill's
container can build and read it without pydantic; the CLI exports its JSON Schema with
pydantic's TypeAdapter (custseg.build.facts_schema; the skill ships it as
``reference/facts.schema.json``). Keys are stable and namespaced per
segmentation, e.g. ``segmentations.rfm.segments.champions.count``.

Conventions: shares and rates are fractions (0.25 = 25%), money is in ``data.currency``
rounded to cents, days are calendar days, dates are ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = "1.0"


@dataclass
class MonthFigures:
    """Kept orders of one calendar month up to the as-of date (the first and last months are often partial)."""

    month: str  # YYYY-MM
    days_covered: int  # days of the month inside the data's span
    days_in_month: int
    orders: int
    buyers: int  # distinct customers with an order in the month
    revenue: float | None  # None when the data has no amounts


@dataclass
class Quarters:
    """One figure per calendar quarter: q1 January-March, q2 April-June, q3 July-September, q4 October-December."""

    q1: float | None
    q2: float | None
    q3: float | None
    q4: float | None


@dataclass
class Seasonality:
    """When a group bought in the 365 days up to the as-of date (as-of minus 364 days to the as-of
    date: each calendar day of the year once), by calendar quarter. Shares are null where their
    base is zero: no buyer in the window, or (revenue) no spend or no amounts in the data."""

    buyers: int  # the group's customers with an order in the window: the base of the buyer shares
    revenue_share: Quarters  # share of the group's net spend in the window that fell in each quarter (adds up to 1)
    buyers_share: Quarters  # share of the buyers who bought at least once in each quarter
    one_quarter_only: float | None  # share of the buyers who bought in exactly one quarter


@dataclass
class DataSeasonality(Seasonality):
    """Seasonality of every customer together, with the window the segments' figures share."""

    window_start: str  # as-of minus 364 days
    window_end: str  # the as-of date
    window_days: int  # 365


@dataclass
class PaymentProblems:
    """An event log's events naming a failed payment or a checkout error, per user."""

    users: int  # users with at least one (customers.csv's payment_problems above 0)
    events: dict[str, int]  # event name -> events counted (payment_error, checkout_bug, ...)


@dataclass
class Subscriptions:
    """An event log's accounts at the as-of date, read from its events that end or start one."""

    active: int  # users whose last such event by the as-of date (re)started their account
    ended: int  # users whose last such event ended it (lifecycle Churned, health 0)
    active_by_behavior: dict[str, int] | None  # the active ones by behavioral group (key -> users): who pays but hardly uses
    started_by: list[str]  # the event names that (re)start an account
    ended_by: list[str]  # the event names that end one


@dataclass
class OutstandingPart:
    payments: int
    value: float | None


@dataclass
class OutstandingRecent:
    days: int  # last tried within this many days of the data's last day
    payments: int
    value: float | None


@dataclass
class FailedPayments:
    """Payment attempts that did not go through (the drop reasons in ``reasons``), followed per
    customer. Attempts of the same amount by the same customer within ``retry_window_days`` of
    each other are one payment; it was paid later when that customer paid the same amount on or
    after its first attempt and within the window after its last. Amounts in data.currency."""

    reasons: list[str]  # failed, incomplete, and for Stripe cancelled (abandoned payments)
    retry_window_days: int
    attempts: int  # orders (rows of a payments export) with one of those reasons: data.dropped counts them
    attempts_not_followed: int  # of them, with no customer or no readable date: not in the figures below
    payments: int  # the followed attempts with retries folded together
    value: float | None  # what those payments were for, each once
    paid_later: int
    paid_later_value: float | None
    outstanding: int  # payments not paid later: money a dunning or recovery message could bring in
    outstanding_value: float | None
    outstanding_customers: int
    never_paid_customers: int  # of them, people with no paid order at all: in no segment; the CRM files list them on their own
    never_paid_value: float | None
    outstanding_recent: OutstandingRecent | None = None  # of the outstanding, those last tried in the data's last days: old failures are rarely recovered
    outstanding_by_reason: dict[str, OutstandingPart] = field(default_factory=dict)  # failed (a declined card: a card-update message), incomplete or cancelled (an abandoned checkout: a finish-your-payment message)


@dataclass
class ExcludedTestCharges:
    """--exclude-test-charges: the customers whose whole spend was under 2% of the median
    customer's, left out with all their rows (data.dropped: 'test_charge' for their payments,
    'test_charge_unpaid' for their failed or unfinished checkouts). Amounts in data.currency."""

    customers: int
    payments: int  # their paid payments (orders)
    paid_value: float
    unpaid_checkouts: int  # their failed or unfinished checkouts (orders): never paid
    unpaid_value: float
    # of those checkouts, the payments still outstanding (retries counted once, not paid later):
    # left out of data.failed_payments' outstanding totals with their customers
    outstanding_payments: int
    outstanding_value: float


@dataclass
class ChannelFigures:
    """Kept orders that came through one sales channel (Shopify's Source: web, pos,
    shopify_draft_order, an app's id, a marketplace such as Nordstrom or tiktok)."""

    channel: str  # as the export names it; 'other channels (N)' sums the channels past the first ten
    orders: int
    customers: int  # distinct customers with an order through it (one customer can use several)
    revenue: float | None
    label: str | None = None  # what the channel is, where its name does not say: 'online store' for web, 'a sales-channel app' for an app's numeric id, 'wholesale: ...' for a wholesale app such as Honeycomb


@dataclass
class ExcludedChannels:
    """--exclude-channel: the sales channels whose orders the user left out (data.dropped's
    'excluded_channel'), so every count and amount of the run is without their buyers' orders."""

    channels: list[str]  # as the export spells them
    orders: int  # the orders left out for it (not those already cancelled or refunded)
    customers: int  # distinct buyers of those orders
    only_there: int  # of them, buyers with no kept order through another channel: in no segment


@dataclass
class Marketplace:
    """Kept orders that came through marketplaces (TikTok Shop, Nordstrom, Amazon): their
    buyers are the marketplace's customers, often behind relay emails."""

    channels: list[str]  # the export's channel names that are marketplaces
    orders: int
    customers: int  # distinct buyers with an order through them
    own_customers: int  # customers with an order through any other channel: what leaving the marketplaces out keeps
    relay_emails: int  # customers whose email is a marketplace's relay address (…@scs3.tiktok.com), not their own


@dataclass
class RecurringPayments:
    """A payments export's kept payments that a subscription billed (renewals are billed
    automatically: a repeat payment is a billing cycle, not a decision to buy again)."""

    basis: str  # how a payment was told to be a subscription's
    payments: int
    payments_share: float  # of the kept payments (data.orders)
    revenue: float
    revenue_share: float | None  # of data.revenue_total
    customers: int  # customers with at least one such payment
    customers_share: float | None  # of data.customers


@dataclass
class Installments:
    """A payments export's kept payments that are later installments of a purchase paid in
    parts ('Payment 2 of 3', a balance after a deposit): in spend, but no new order or purchase day."""

    basis: str  # how a payment was told to be a later installment
    payments: int
    revenue: float
    customers: int  # customers with at least one such payment
    purchase_days_not_counted: int  # purchase days these payments would have added
    repeat_buyers_not_counted: int  # customers who would have had two or more purchase days, and have one


@dataclass
class ProductBuyers:
    """A product's buyers in a group: distinct customers with a kept order naming it, up to the as-of date."""

    key: str  # the fact key of the product (its name in lower case, words joined by '-')
    name: str  # as the export names it (Shopify's Lineitem name: product and variant)
    buyers: int
    buyers_share: float  # of the group's customers


@dataclass
class FirstPurchaseProduct:
    """A product in customers' first purchase day, and whether those who started with it came back."""

    key: str
    name: str
    starters: int  # customers whose first purchase day's orders named it
    starters_before_cutoff: int  # of them, those whose first purchase day was at least one period before the as-of date
    back_within_period_rate: float | None  # of those, the share who bought again within one period of their first day; None from fewer than 20


@dataclass
class ProductFamily:
    """A word at least two named products share ('Legging' in 'Palm Legging' and 'Omni Leggings',
    'Greyson' in every colourway of the jeans; a plural's 's' aside): a customer bought the family
    when they bought any of its products."""

    key: str
    name: str  # the word, capitalised
    products: int  # named products whose names hold it
    buyers: int
    buyers_share: float  # of every customer with a named product
    starters: int  # customers whose first purchase day's orders held one of its products
    starters_before_cutoff: int  # of them, those whose first purchase day was at least one period before the as-of date
    back_within_period_rate: float | None  # of those, the share who bought again within one period; None from fewer than 20


@dataclass
class DataProducts:
    """Order exports and logs that name what each line sold (compute/products.py). A product is
    named only when at least ``min_buyers`` customers bought it; add-ons that sell no
    merchandise (shipping protection, free returns, tips) and gift cards are counted apart and
    never ranked."""

    column: str  # the column read (Lineitem name, Description)
    products: int  # distinct names on the kept orders' lines up to the as-of date (add-ons left out)
    named: int  # of them, bought by at least min_buyers customers: the only ones facts name
    min_buyers: int
    customers: int  # customers with a kept line naming a product
    top: list[ProductBuyers]  # every customer together: the most bought, by buyers
    first_purchase: list[FirstPurchaseProduct]  # the most frequent in customers' first purchase day: ten, then up to 30 whose come-back rate is measured
    starters_before_cutoff: int  # customers whose first purchase day was at least one period before the as-of date and named a product
    back_within_period_rate: float | None  # of them, the share who bought again within one period: first_purchase's rates compare with it
    not_merchandise: dict[str, int]  # add-on or gift card name -> lines, left out of every ranking
    variants_folded: bool = False  # Shopify: a product's variants counted as one product (the Lineitem name before its last ' - ')
    # the families with the most buyers (compute/products.py: the ten first, then up to 30 bought
    # by 20 or more), for hunches about a kind of product; every family found, and the words of
    # those left out, most buyers first (at most 200), named so a plan can say the facts hold no figure for them
    families: list[ProductFamily] | None = None
    families_found: int | None = None
    families_left_out: list[str] | None = None


@dataclass
class CountryFigures:
    """The customers placed in one country (or, as 'other countries (N)', in several)."""

    key: str  # the fact key of the country (its name in lower case, words joined by '-'); other-countries for the rest together
    name: str  # in English: Shopify's ISO codes (GB) as their names (United Kingdom); a name the export gives as written, other forms of one read as it (EIRE: Ireland)
    code: str | None  # the ISO 3166-1 code (GB); None where the name is no country the tools know (Channel Islands) or for other countries
    customers: int
    customers_share: float  # of data.countries.customers (the customers placed in a country)
    revenue: float | None  # what these customers spent up to the as-of date, all their kept orders; None without amounts
    revenue_share: float | None  # of the revenue of data.countries.customers
    repeat_rate: float | None  # share who bought on more than one day; None from fewer than 20 customers


@dataclass
class AbroadFigures:
    """Every country but data.countries.home together."""

    countries: int
    customers: int
    customers_share: float
    revenue: float | None
    revenue_share: float | None
    repeat_rate: float | None  # None from fewer than 20 customers
    # the gap between this repeat rate and the home country's that chance alone stays within 95
    # times in 100 (groups of these sizes drawn from one rate, as validation.holdout's); None where either rate is
    chance_gap: float | None = None


@dataclass
class DataCountries:
    """Order exports and logs that name each order's country (compute/countries.py), when the
    customers are in at least two countries: each customer counted once, in the country of their
    most recent kept order up to the as-of date that names one."""

    column: str  # the columns read ('Shipping Country, else Billing Country', 'Country')
    definition: str
    customers: int  # the RFM customers placed in a country: the base of the shares
    without_country: int  # the RFM customers none of whose kept orders up to the as-of date names one
    countries: int  # distinct countries with a customer
    home: CountryFigures  # the country with the most customers
    abroad: AbroadFigures
    top: list[CountryFigures]  # the ten with the most customers (the home country first), then other-countries for the rest


@dataclass
class CountryShare:
    """A country's customers in one segment."""

    key: str  # as in data.countries
    name: str
    code: str | None
    customers: int
    share: float  # of the segment's customers placed in a country


@dataclass
class SegmentCountries:
    """Where one RFM segment's customers are (data.countries' placing)."""

    customers: int  # the segment's customers placed in a country: the base of the shares
    home_share: float  # in data.countries.home
    abroad_share: float  # in any other country
    top: list[CountryShare]  # its three countries with the most customers


@dataclass
class AfterAsOf:
    """Purchases after an as-of date earlier than the data's end: left out of the segments and of
    every figure (data's orders, revenue, customers and dates stop at the as-of date)."""

    orders: int
    revenue: float | None
    new_customers: int  # customers whose first purchase came after the as-of date: in no segment
    date_max: str  # where the data itself ends


@dataclass
class ContactConsent:
    """One group of people the CRM files list, by what their marketing consent lets the email
    tools do, counted as the email-tool files count them (an email with an '@'; consent as the
    export records it)."""

    people: int  # everyone in the group, with an email or not
    with_email: int
    opted_in: int  # with an email and marketing consent yes: subscribed
    opted_out: int  # with an email and marketing consent no: the email-tool files leave them out
    consent_unknown: int  # with an email and no consent on record: in the email-tool files, to be confirmed
    opted_in_share: float | None  # opted_in of people; None when the group is empty


@dataclass
class DataContacts:
    """A customers export (with the orders, or a customer table on its own): its contacts who
    bought beside those who never did, and how many of each subscribed to marketing. The
    contacts whose orders were all cancelled or refunded (data.no_kept_order) are in neither."""

    buyers: ContactConsent  # the customers segmented (data.customers)
    prospects: ContactConsent  # the contacts who never bought (data.prospects)
    opted_in: int  # subscribed contacts: buyers' and prospects' opted_in together
    prospects_share: float | None  # of buyers and prospects together, the share who never bought
    opted_in_prospects_share: float | None  # of the subscribed contacts (opted_in), the share who never bought; None when nobody subscribed


@dataclass
class Refunds:
    """Orders refunded in full or in part among a group's orders up to the as-of date, on an
    export that records refunds (Shopify's Refunded Amount, Stripe's Amount Refunded). An order
    refunded in full is left out before segmenting (data.dropped_orders.refunded) yet is still its
    customer's, by the same identity: it is counted here, as the health score counts it."""

    orders: int  # the group's kept orders and its orders refunded in full: the base of orders_refunded_share
    refunded_in_full: int  # orders refunded in full (Shopify status refunded, Stripe Refunded)
    refunded_in_part: int  # kept orders with a refund (Shopify partially_refunded)
    orders_refunded_share: float | None  # (refunded_in_full + refunded_in_part) of orders; None without orders
    charged_value: float  # what those orders came to before any refund
    refunded_value: float  # what was paid back on them
    refunded_value_share: float | None  # refunded_value of charged_value; None when nothing was charged


@dataclass
class DataRefunds(Refunds):
    """Every RFM segment's refunds together (the segmented customers'), and how they are counted."""

    columns: str = ""  # the export's columns read: the amount before refunds and the amount refunded ("Total and Refunded Amount")
    definition: str = ""


@dataclass
class RecentRevenueWindow:
    """The days each RFM segment's recent_revenue covers: the 365 days up to the as-of date
    (as-of minus 364 days to the as-of date, the seasonality window's), or, on data covering less
    than that up to the as-of date, every day of it (whole_span true: the same as revenue)."""

    window_start: str
    window_end: str  # the as-of date
    window_days: int  # 365, or the data's span when shorter
    whole_span: bool  # the data covers fewer than 365 days up to the as-of date: the window is all of it
    revenue: float  # every segment's recent_revenue together: the base of recent_revenue_share


@dataclass
class DataCoverage:
    source: str
    kind: str
    files: list[str]
    rows: int
    rows_by_file: dict[str, int]  # file name -> rows read from it (rows adds them up)
    customers: int
    prospects: int
    orders: int | None
    revenue_total: float | None
    currency: str | None
    date_min: str | None
    date_max: str | None
    days_covered: int | None
    one_time_share: float | None
    mapping: dict[str, str]
    dropped: dict[str, int]
    dropped_orders: dict[str, int] | None
    buyers: int | None = None  # event logs: customers with a purchase event (customers counts every user)
    purchase_events: dict[str, int] | None = None  # event logs: event name -> events counted as purchases
    not_activity_events: dict[str, int] | None = None  # event logs: event name -> events not counted as activity (leaving, or done by a system)
    dropped_value: dict[str, float] | None = None  # order exports and logs: reason -> net amount of the orders it dropped (revenue the segments do not see)
    dropped_gross: dict[str, float] | None = None  # exports with a refunds column: reason -> what the orders it dropped sold for, before refunds
    # exports with Shopify's Outstanding Balance: reason -> the money the orders it dropped actually
    # collected (total - refunded - outstanding balance; negative where more was paid back than
    # collected). dropped_value counts what was never collected (a voided order's total); this does not
    dropped_collected: dict[str, float] | None = None
    recurring: RecurringPayments | None = None  # Stripe: the payments a subscription billed
    installments: Installments | None = None  # Stripe: later installments of a purchase paid in parts (no new order or purchase day)
    by_channel: list[ChannelFigures] | None = None  # order exports with a sales channel: most orders first
    marketplace: Marketplace | None = None  # order exports with marketplace orders (channels TikTok, Nordstrom, Amazon...)
    failed_payments: FailedPayments | None = None  # order exports and logs with failed or unfinished payments: them followed per customer
    test_charges: ExcludedTestCharges | None = None  # --exclude-test-charges: the customers it left out, their payments and unpaid checkouts apart, and their outstanding payments (not in failed_payments)
    by_month: list[MonthFigures] | None = None  # order exports, logs and event logs' purchases: one row per calendar month
    seasonality: DataSeasonality | None = None  # transaction data holding a year up to the as-of date (else facts.unavailable.seasonality says why)
    ignored_columns: list[str] | None = None  # the input's columns no role reads (their names only)
    mrr_total: float | None = None  # a CRM table with an MRR column: the MRR of the live accounts (status not ended)
    no_kept_order: int = 0  # an orders export with its customers export: contacts the customers export counts orders for, with none kept in the orders export (all cancelled or refunded); not in prospects
    excluded_channels: ExcludedChannels | None = None  # --exclude-channel: the channels left out at the user's request, their orders and buyers
    excluded_channel_only: int = 0  # an orders export with its customers export and --exclude-channel: the customers export's contacts who bought only through the channels left out (in segments_generic.csv only); not in no_kept_order or prospects
    prospects_by_status: dict[str, int] | None = None  # a CRM table with a status column: the prospects (no spend, orders or MRR) by status value
    contacts: DataContacts | None = None  # a customers export: buyers and contacts who never bought, by marketing consent
    payment_problems: PaymentProblems | None = None  # an event log with events naming a failed payment or a checkout error: the users who had one
    subscriptions: Subscriptions | None = None  # an event log with events that end accounts (a subscription cancelled): who is active and who ended at the as-of date
    products: DataProducts | None = None  # order exports and logs naming each line's product: what customers buy (else facts.unavailable.products says why)
    countries: DataCountries | None = None  # order exports and logs naming each order's country, customers in two or more: where customers are (else facts.unavailable.countries says why)
    after_as_of: AfterAsOf | None = None  # an as-of date before the data's end: the purchases after it, left out (customers, orders, revenue, dates and one_time_share count up to it)
    refunds: DataRefunds | None = None  # order exports that record refunds: orders refunded in full or in part of every segmented customer (else facts.unavailable.refunds says why)


@dataclass
class SegmentStats:
    key: str
    name: str
    description: str
    rule: str
    count: int
    pct_customers: float
    revenue: float | None
    revenue_share: float | None
    avg_value: float | None
    aov: float | None
    median_recency_days: float | None
    avg_purchase_days: float | None
    repeat_rate: float | None
    spend_last_period_per_customer: float | None
    # the median, over the segment's customers who bought on two days or more, of their average
    # days between purchase days; none from fewer than MIN_GAP_BUYERS of them
    median_gap_days: float | None = None
    count_prev: int | None = None
    pct_customers_prev: float | None = None  # share of customers one period earlier
    trend: str | None = None  # growing | stable | declining, by share of customers
    trend_change: float | None = None  # relative change of the share: 0.25 = a quarter larger
    next_repeat_rate: float | None = None  # validation: share who bought in the next period
    mean_scores: dict[str, float | None] | None = None  # r, f, m: None for a segment without customers
    # Event logs' behavioral segments: usage figures a plan's KPIs on usage compare with
    active_days_30: float | None = None  # mean days with any event in the last 30
    days_since_active: float | None = None  # median days since the last event
    seasonality: Seasonality | None = None  # rfm on transaction data holding a year: when the segment's customers bought in the last 365 days
    # A CRM table with an MRR column: the MRR of the segment's live accounts, and its share of data.mrr_total
    mrr: float | None = None
    mrr_share: float | None = None
    # A payments export with failed payments not paid later (data.failed_payments): the
    # segment's customers who still owe one, and what they owe (customers.csv's outstanding_value)
    outstanding_customers: int | None = None
    outstanding_value: float | None = None
    # An event log with payment-problem events (data.payment_problems): the segment's users who had one
    payment_problem_customers: int | None = None
    # RFM: customers by days since their last purchase (within_90_days, days_91_to_180,
    # days_181_to_364, days_365_to_729, days_730_or_more), finer than the scores past six months;
    # the years end where the seasonality window's 365 days do
    last_purchase_days: dict[str, int] | None = None
    # RFM beside value tiers: the segment's customers in each tier (tier key -> customers), so a
    # plan can pick a large segment's big spenders by the CRM files' Value Tier column
    value_tiers: dict[str, int] | None = None
    # RFM on data naming each line's product (data.products): the segment's five most bought
    # products (and any tied with the fifth, up to ten) and every product of data.products.top
    # (bought by none of them too), most buyers first (ProductBuyers; only products data.products
    # names); None for a segment without customers
    products: list[ProductBuyers] | None = None
    # the same segment's buyers of each of data.products.families (ProductBuyers keyed by the family's key)
    product_families: list[ProductBuyers] | None = None
    # RFM on data naming each order's country (data.countries): the segment's customers at home
    # and abroad, and its three countries with the most customers; None for a segment without customers
    countries: SegmentCountries | None = None
    # RFM on transaction data with amounts: what the segment's customers spent in the 365 days up
    # to the as-of date (segmentation.recent_revenue_window: every day of data shorter than that),
    # and its share of every segment's together; revenue and revenue_share are over all the data
    recent_revenue: float | None = None
    recent_revenue_share: float | None = None
    # RFM on an export that records refunds (data.refunds): the segment's orders refunded in full
    # or in part, and what was paid back of what they were charged
    refunds: Refunds | None = None


@dataclass
class Transition:
    from_segment: str
    to_segment: str
    customers: int
    revenue: float | None


@dataclass
class Migration:
    from_date: str
    to_date: str
    customers_in_both: int
    matrix: dict[str, dict[str, int]]  # from -> to -> customers
    revenue: dict[str, dict[str, float]] | None  # from -> to -> spend in the period by those customers
    entered: dict[str, int]  # customers who first bought after from_date, by segment at to_date
    watch: list[Transition]
    note: str


@dataclass
class ValidationRow:
    segment: str
    customers: int
    repeat_rate: float
    revenue_per_customer: float | None
    revenue_share: float | None
    # the holdout (compute/holdout.py) apart: how many of the segment's customers at the cutoff
    # are held out, their repeat rate, and the rest's; None on data without pseudonymous ids
    held_out_customers: int | None = None
    held_out_repeat_rate: float | None = None
    others_repeat_rate: float | None = None
    chance_gap: float | None = None  # the gap between the two rates that chance alone stays within 95 times in 100


@dataclass
class Validation:
    cutoff: str
    window_end: str
    window_days: int
    segments: list[ValidationRow]
    base_repeat_rate: float
    top_segment: str
    top_lift: float | None
    monotone: bool
    violations: list[str]
    new_customer_revenue_share: float | None
    note: str
    holdout: dict | None = None  # held_out_customers, held_out_repeat_rate, others_repeat_rate, chance_gap over every segment
    # each segment that bought again more often than the one ranked above it (the violations),
    # with the gap chance alone keeps groups of their sizes within 19 times in 20 (analysis.inversion)
    inversions: list[Inversion] = field(default_factory=list)
    in_order_within_chance: bool = True  # every inversion within its chance gap: in order, within chance


@dataclass
class Inversion:
    lower: str  # the segment ranked lower that bought again more often
    higher: str  # the one ranked just above it
    lower_repeat_rate: float
    higher_repeat_rate: float
    gap: float  # lower_repeat_rate - higher_repeat_rate
    chance_gap: float | None  # how far apart chance alone keeps two groups of these sizes 95 times in 100
    within_chance: bool  # gap <= chance_gap: no finding


@dataclass
class HistoryRow:
    """One RFM segment at one cutoff of the segment history (Segmentation.history, keyed by the
    cutoff date, then the segment key: history.2024-03-29.champions.next_repeat_rate). At each
    cutoff, the as-of date minus 1, 2, ... periods (newest first, at most 8, each with at least a
    period of data before it), customers are scored with the data up to it by the same method and
    rule table as at the as-of date, the small segments merged as there; each segment's figures
    are what its customers did in the period after the cutoff. The newest cutoff's are
    validation's figures. A segment with no customers at a cutoff has no row there."""

    customers: int  # the segment's customers at the cutoff: a cutoff's rows add up to every customer who had bought by then
    next_repeat_rate: float  # share of them who bought in the period after the cutoff (cutoff + 1 day to cutoff + period_days)
    revenue_per_customer: float | None  # their mean spend in that period (None without amounts)


@dataclass
class Opportunity:
    from_segment: str
    to_segment: str
    customers_now: int
    historical_rate: float
    revenue_gap_per_customer: float
    expected_customers: int
    expected_revenue: float  # the baseline: expected_customers x the gap, with no extra effort
    # what each further tenth of the from-segment moving adds to the baseline; None where a tenth is
    # more than analysis.MAX_FURTHER_MULTIPLE times the share that moved on their own (the what-if
    # is then as many again as moved: expected_revenue)
    value_per_10pct: float | None
    explanation: str
    next_gap_per_customer: float | None = None  # customers in to_segment when the last period began spent this much more in it than those in from_segment: a move's worth after it (the gap is spend in the period that earned the segment)
    moved: int = 0  # customers who made the move last period
    # the gap (revenue_gap_per_customer) is what those who moved spent in the period less what those
    # who stayed spent ("movers", where at least analysis.MIN_VALUE_MOVERS moved), else the
    # to-segment's spend per customer less the from-segment's ("to_segment")
    value_basis: str = "to_segment"
    movers_spend_per_customer: float | None = None  # what those who moved spent each in the period ("movers")
    above_period_revenue: bool = False  # an amount is more than all customers spent in the period (Segmentation.period_revenue)


@dataclass
class Segmentation:
    kind: str  # rfm | lifecycle | value | health | behavioral
    method: str
    method_reason: str
    definition: dict
    order: list[str]
    segments: dict[str, SegmentStats]
    customers: int
    notes: list[str] = field(default_factory=list)
    trend_threshold: float | None = None
    trend_basis: str | None = None  # what the trend compares, in words
    opportunity_basis: str | None = None  # which moves are sized, in words
    scores: dict | None = None  # rfm: how R, F and M were scored, with the cut points
    rules: dict | None = None  # rfm: the rule table used
    merged: list[dict] = field(default_factory=list)
    similar_pairs: list[dict] = field(default_factory=list)
    migration: Migration | None = None
    validation: Validation | None = None
    opportunities: list[Opportunity] = field(default_factory=list)
    # Why the list is short or empty: how many upward moves were sized, and why the others were
    # not, in words; and the count of unsized moves per reason (a key of analysis.UNSIZED_REASONS).
    opportunities_note: str | None = None
    opportunities_skipped: dict[str, int] | None = None
    period_revenue: float | None = None  # all customers' spend in the last period (the period the sized moves' amounts are per)
    # rfm on transaction data over three periods or more: each segment's next-period behaviour
    # at successive cutoffs (cutoff date YYYY-MM-DD -> segment key -> HistoryRow), newest first,
    # and what it measures in words; else facts.unavailable.history says why
    history: dict[str, dict[str, HistoryRow]] | None = None
    # every customer who had bought by each cutoff, whatever their segment (cutoff -> HistoryRow):
    # a segment's rate that moves with everyone's is the season or the whole shop, not the segment
    history_everyone: dict[str, HistoryRow] | None = None
    history_definition: str | None = None
    # What the segment figures count: "purchases", or "activity" for an event log's lifecycle,
    # health and behavioral segments (days active, any event; not days with a purchase).
    basis: str = "purchases"
    recent_revenue_window: RecentRevenueWindow | None = None  # rfm with amounts: the days each segment's recent_revenue covers


@dataclass
class Facts:
    schema_version: str
    generator: str
    as_of: str | None  # None when the data has no dates (a customer table without them)
    period_days: int
    data: DataCoverage
    segmentations: dict[str, Segmentation]
    unavailable: dict[str, str]  # segmentation -> why it is not computed
    warnings: list[str]
    notes: list[str]
    exports: dict | None = None  # who went into the CRM files and who was left out, by segment (counts only)
