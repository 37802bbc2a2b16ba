#!/usr/bin/env python3
"""Seeded generator of realistic (entirely fake) customer exports.

The files it writes are the bundled examples and test fixtures: the kind of
exports a marketer uploads (Shopify orders, Stripe payments, a product event
log, a CRM table, a European shop's order log). Every name, email, address and
amount is invented from small built-in word lists; email domains all end in
``.example``.

Determinism: the same seed gives byte-identical files. Only ``random.Random``
instances seeded with ints or strings are used (string seeds are hashed with
SHA-512 by ``random``, so PYTHONHASHSEED does not matter), dates are fixed (the
history ends on 2025-12-31; the wall clock is never read), numbers are
formatted without the locale, and no set or dict is iterated to produce output
order.

Usage::

    python examples/generate.py                       # regenerate all five examples
    python examples/generate.py shopify --line-items 1000000 --out /tmp/big.csv --seed 7
    python examples/generate.py --help

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import csv
import gzip
import io
import json
import math
import sys
import time
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
HISTORY_END = date(2025, 12, 31)
DEFAULT_SEED = 42

FILENAMES = {
    "shopify": "shopify_orders_export.csv",
    "stripe": "stripe_unified_payments.csv",
    "events": "product_events.jsonl",
    "crm": "crm_customers.csv",
    "european": "european_orders.csv",
}

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def _rng(seed: int, *parts) -> Random:
    """An independent, reproducible stream for (seed, parts...)."""
    return Random("/".join([str(seed), *map(str, parts)]))


def _token(r: Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choices(alphabet, k=n))


def _pick(r: Random, items, cum):
    """Weighted choice from precomputed cumulative weights."""
    return items[bisect.bisect_right(cum, r.random() * cum[-1])]


def _cum(weights):
    return list(accumulate(weights))


def money(cents: int) -> str:
    """Integer cents -> '1234.50' (no thousands separator)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def eu_money(cents: int) -> str:
    """Integer cents -> '1.234,50' (dot thousands, decimal comma)."""
    euros, c = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{c:02d}"


@contextlib.contextmanager
def open_out(path, encoding: str = "utf-8"):
    """Text file for writing; gzip-compressed (with a fixed mtime) for *.gz."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        with open(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                with io.TextIOWrapper(gz, encoding=encoding, newline="") as f:
                    yield f
    else:
        with open(path, "w", encoding=encoding, newline="") as f:
            yield f


def _parse_names(text: str):
    """'José|jose Ann' -> [('José', 'jose'), ('Ann', 'ann')]."""
    out = []
    for tok in text.split():
        disp, _, asc = tok.partition("|")
        out.append((disp, asc or "".join(ch for ch in disp.lower() if ch.isalnum())))
    return out


# --------------------------------------------------------------------------
# word lists (all invented / generic)
# --------------------------------------------------------------------------

US_FIRST = _parse_names(
    "Maria James Emma Liam Olivia Noah Ava Ethan Sophia Mason Isabella Lucas Mia "
    "Logan Amelia Elijah Harper Aiden Evelyn Jackson Abigail Daniel Emily Henry "
    "Elizabeth Owen Sofia Samuel Avery Caleb Ella Ryan Scarlett Nathan Grace Isaac "
    "Chloe Dylan Victoria Hannah Luke Riley Zoe Jacob Nora Leah Gabriel Lily Anthony "
    "Hazel Julian Aria David Layla Wei Priya Arjun Mei Hiroshi Yuki Fatima Omar "
    "Aisha Kwame Amara Diego Camila Mateo Valentina Santiago Lucia Jose|jose "
    "José|jose Zoë|zoe Renée|renee Chloé|chloe André|andre Siobhan Niamh Tomás|tomas "
    "Ingrid Lars Katarzyna Dmitri Anh Minh Jasmine Tyler Brandon Kayla Marcus "
    "Tanya Derek Rachel Kevin Laura Brian Megan Carlos Ana"
)
US_LAST = _parse_names(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
    "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin "
    "Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker "
    "Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
    "Baker Hall Rivera Campbell Mitchell Carter Roberts Chen Kim Patel Shah Singh "
    "Wong Tanaka Okafor Mensah Cohen Murphy O'Brien|obrien Kowalski Novak Silva "
    "Costa Rossi Müller|muller García|garcia Peña|pena Núñez|nunez Schmidt Larsen "
    "Johansson Dubois Moreau Fischer Weber Becker Hoffmann Park Choi Yamamoto Ali "
    "Hassan Ibrahim Reyes Cruz Ortiz Morales Gutierrez Chavez Ward Foster Bryant "
    "Russell Griffin Hayes Myers Ford Hamilton Graham Sullivan Wallace West Cole"
)
EU_FIRST = _parse_names(
    "Lukas Leon Finn Paul Jonas Felix Maximilian Emma Mia Hannah Lea Lena Anna "
    "Sophie Marie Laura Julia Léa|lea Chloé|chloe Camille Manon Inès|ines Louis "
    "Hugo Jules Gabriel Arthur Raphaël|raphael Sem Daan Bram Lotte Sanne Fleur "
    "Giulia Francesca Alessandro Lorenzo Matteo Chiara Sofía|sofia Lucía|lucia "
    "Martina Pablo Álvaro|alvaro Javier Elena Tobias Niklas Katharina Johanna "
    "Clara Amélie|amelie Théo|theo Noé|noe Jan Pieter Femke Anouk Jakob Elias Lina"
)
EU_LAST = _parse_names(
    "Müller|mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz "
    "Hoffmann Koch Richter Klein Wolf Schröder|schroeder Neumann Schwarz Braun "
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
    "Laurent Lefèvre|lefevre Michel de_Jong|dejong Jansen de_Vries|devries "
    "van_den_Berg|vandenberg Bakker Visser Smit Meijer Rossi Russo Ferrari Esposito "
    "Bianchi Romano Colombo Ricci García|garcia Fernández|fernandez González|gonzalez "
    "Rodríguez|rodriguez López|lopez Martínez|martinez Gruber Huber Bauer Pichler "
    "Peeters Janssens Maes Jacobs Mertens Willems"
)
EU_LAST = [(d.replace("_", " "), a) for d, a in EU_LAST]

US_DOMAINS = ["mail.example", "inbox.example", "post.example", "webmail.example",
              "email.example", "mailbox.example", "letters.example", "fastpost.example"]
US_DOMAIN_CUM = _cum([30, 22, 14, 10, 9, 7, 5, 3])
EU_DOMAINS = ["post.example", "mail.example", "web.example", "gmx.example",
              "orange.example", "posteo.example", "libero.example", "telenet.example"]
EU_DOMAIN_CUM = _cum([18, 20, 16, 14, 10, 8, 8, 6])

STREETS = ["Maple", "Oak", "Cedar", "Elm", "Pine", "Washington", "Lake", "Hill",
           "Park", "Main", "Walnut", "Highland", "Sunset", "River", "Church",
           "Mill", "Spring", "Franklin", "Chestnut", "Willow", "Jefferson",
           "Lincoln", "Madison", "Harbor", "Orchard", "Meadow", "Ridge", "Forest"]
STREET_SUFFIX = ["St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way", "Pl"]
COMPANIES = ["Acme Studio", "Bluebird Design", "Harbor Dental", "Pine & Co",
             "Summit Realty", "Riverbend Cafe", "Lumen Labs", "Copper Kettle",
             "Northstar Events", "Greenway Landscaping", "Brightside Yoga",
             "Oakline Builders", "Foxglove Florals", "Tidewater Law"]

# (city, province code, province name, zip prefix, weight, [(tax name, rate in 1/1000 %)])
US_CITIES = [
    ("New York", "NY", "New York", "100", 12,
     [("NY State Tax", 4000), ("New York City Tax", 4500),
      ("Metropolitan Commuter Transportation District", 375)]),
    ("Brooklyn", "NY", "New York", "112", 8,
     [("NY State Tax", 4000), ("New York City Tax", 4500),
      ("Metropolitan Commuter Transportation District", 375)]),
    ("Los Angeles", "CA", "California", "900", 10,
     [("CA State Tax", 6000), ("Los Angeles County Tax", 3500)]),
    ("San Francisco", "CA", "California", "941", 5,
     [("CA State Tax", 6000), ("San Francisco County Tax", 2625)]),
    ("San Diego", "CA", "California", "921", 4, [("CA State Tax", 6000), ("San Diego County Tax", 1750)]),
    ("Chicago", "IL", "Illinois", "606", 8, [("IL State Tax", 6250), ("Chicago City Tax", 4000)]),
    ("Houston", "TX", "Texas", "770", 6, [("TX State Tax", 6250), ("Houston City Tax", 2000)]),
    ("Austin", "TX", "Texas", "787", 5, [("TX State Tax", 6250), ("Austin City Tax", 2000)]),
    ("Boston", "MA", "Massachusetts", "021", 6, [("MA State Tax", 6250)]),
    ("Cambridge", "MA", "Massachusetts", "021", 2, [("MA State Tax", 6250)]),
    ("Seattle", "WA", "Washington", "981", 6, [("WA State Tax", 6500), ("Seattle City Tax", 3750)]),
    ("Portland", "OR", "Oregon", "972", 5, []),
    ("Denver", "CO", "Colorado", "802", 4, [("CO State Tax", 2900), ("Denver City Tax", 4810)]),
    ("Miami", "FL", "Florida", "331", 5, [("FL State Tax", 6000), ("Miami-Dade County Tax", 1000)]),
    ("Orlando", "FL", "Florida", "328", 3, [("FL State Tax", 6000), ("Orange County Tax", 500)]),
    ("Atlanta", "GA", "Georgia", "303", 4, [("GA State Tax", 4000), ("Fulton County Tax", 4900)]),
    ("Philadelphia", "PA", "Pennsylvania", "191", 4, [("PA State Tax", 6000), ("Philadelphia City Tax", 2000)]),
    ("Pittsburgh", "PA", "Pennsylvania", "152", 2, [("PA State Tax", 6000), ("Allegheny County Tax", 1000)]),
    ("Minneapolis", "MN", "Minnesota", "554", 3, [("MN State Tax", 6875)]),
    ("Phoenix", "AZ", "Arizona", "850", 4, [("AZ State Tax", 5600), ("Phoenix City Tax", 2300)]),
    ("Newark", "NJ", "New Jersey", "071", 2, [("NJ State Tax", 6625)]),
    ("Jersey City", "NJ", "New Jersey", "073", 2, [("NJ State Tax", 6625)]),
    ("Richmond", "VA", "Virginia", "232", 2, [("VA State Tax", 5300)]),
    ("Nashville", "TN", "Tennessee", "372", 3, [("TN State Tax", 7000), ("Davidson County Tax", 2250)]),
    ("Salt Lake City", "UT", "Utah", "841", 2, [("UT State Tax", 4850)]),
    ("Charlotte", "NC", "North Carolina", "282", 3, [("NC State Tax", 4750), ("Mecklenburg County Tax", 2500)]),
    ("Columbus", "OH", "Ohio", "432", 3, [("OH State Tax", 5750)]),
    ("Detroit", "MI", "Michigan", "482", 2, [("MI State Tax", 6000)]),
    ("Burlington", "VT", "Vermont", "054", 1, [("VT State Tax", 6000)]),
    ("Anchorage", "AK", "Alaska", "995", 1, []),
]
US_CITY_CUM = _cum([c[4] for c in US_CITIES])
US_AREA = {"NY": ["212", "718", "917"], "CA": ["213", "415", "619"], "IL": ["312"],
           "TX": ["713", "512"], "MA": ["617"], "WA": ["206"], "OR": ["503"],
           "CO": ["303"], "FL": ["305", "407"], "GA": ["404"], "PA": ["215", "412"],
           "MN": ["612"], "AZ": ["602"], "NJ": ["201", "973"], "VA": ["804"],
           "TN": ["615"], "UT": ["801"], "NC": ["704"], "OH": ["614"],
           "MI": ["313"], "VT": ["802"], "AK": ["907"]}

EU_COUNTRIES = ["DE", "FR", "NL", "AT", "BE", "IT", "ES", "LU", "IE"]
EU_COUNTRY_CUM = _cum([40, 15, 12, 10, 8, 7, 5, 1, 2])


# --------------------------------------------------------------------------
# calendar: fixed history, seasonality, growth, US Eastern DST
# --------------------------------------------------------------------------

# Jan..Dec: post-holiday lull, spring, summer dip, Q4 peak
MONTH_WEIGHTS = (0.85, 0.78, 0.92, 0.96, 1.0, 0.82, 0.72, 0.78, 0.95, 1.08, 1.45, 1.65)
# hour-of-day weights for consumer checkouts (local time)
HOUR_CUM = _cum([2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 6, 6, 6, 6, 7, 8, 9, 9, 7, 4])


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    d = date(year, month, 1)
    return d + timedelta(days=(weekday - d.weekday()) % 7 + 7 * (n - 1))


def us_dst_days(year: int) -> tuple[date, date]:
    """US DST: second Sunday of March .. first Sunday of November (02:00 local)."""
    return _nth_weekday(year, 3, 6, 2), _nth_weekday(year, 11, 6, 1)


def black_friday(year: int) -> date:
    return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)


class Calendar:
    """Days from ``start`` to ``end`` with a sampling density of
    seasonality x linear growth (x a Black-Friday..Cyber-Monday spike).

    Moments are ints: local seconds since ``start`` 00:00. For US Eastern time
    the spring-forward gap (02:00-02:59) is never produced, and the fall-back
    hour is always the first (EDT) occurrence, so local order == UTC order.
    """

    MARGIN = 800  # formatting tables extend this many days past ``end``

    def __init__(self, start: date, end: date = HISTORY_END, growth: float = 1.5,
                 bfcm: float = 2.2, month_weights=MONTH_WEIGHTS):
        self.start, self.end = start, end
        self.ndays = (end - start).days + 1
        self.end_s = self.ndays * 86400 - 1
        weights = []
        self.ymd = []
        self.dst_kind = []  # 0 standard, 1 DST, 2 spring-forward day, 3 fall-back day
        bf_cache = {}
        dst_cache = {}
        for d in range(self.ndays + self.MARGIN):
            day = start + timedelta(days=d)
            self.ymd.append((day.year, day.month, day.day))
            if day.year not in dst_cache:
                dst_cache[day.year] = us_dst_days(day.year)
                bf_cache[day.year] = black_friday(day.year)
            s, e = dst_cache[day.year]
            self.dst_kind.append(2 if day == s else 3 if day == e else 1 if s < day < e else 0)
            if d < self.ndays:
                t = d / max(1, self.ndays - 1)
                w = month_weights[day.month - 1] * (1.0 + growth * t)
                if 0 <= (day - bf_cache[day.year]).days <= 3:
                    w *= bfcm
                weights.append(w)
        self.cum = list(accumulate(weights))

    def day(self, r: Random, lo: int = 0, hi: int | None = None) -> int:
        """A day index in [lo, hi] drawn from the density."""
        hi = self.ndays - 1 if hi is None else min(hi, self.ndays - 1)
        lo = max(0, min(lo, hi))
        a = self.cum[lo - 1] if lo > 0 else 0.0
        u = a + r.random() * (self.cum[hi] - a)
        return bisect.bisect_right(self.cum, u, lo, hi)

    def moment(self, r: Random, lo: int = 0, hi: int | None = None) -> int:
        d = self.day(r, lo, hi)
        h = _pick(r, range(24), HOUR_CUM)
        return self.normalize(d * 86400 + h * 3600 + r.randrange(3600))

    def normalize(self, s: int) -> int:
        """Move a moment out of the spring-forward gap."""
        d, rem = divmod(s, 86400)
        if self.dst_kind[d] == 2 and 7200 <= rem < 10800:
            s += 3600
        return s

    def date_of(self, s: int) -> tuple[int, int, int]:
        return self.ymd[s // 86400]

    def is_dst(self, s: int) -> bool:
        d, rem = divmod(s, 86400)
        k = self.dst_kind[d]
        if k == 2:
            return rem >= 10800
        if k == 3:
            return rem < 7200
        return k == 1

    def fmt_eastern(self, s: int) -> str:
        """'2025-05-11 09:55:16 -0400' (America/New_York)."""
        d, rem = divmod(s, 86400)
        y, m, dd = self.ymd[d]
        hh, rem = divmod(rem, 3600)
        mi, ss = divmod(rem, 60)
        off = "-0400" if self.is_dst(s) else "-0500"
        return f"{y:04d}-{m:02d}-{dd:02d} {hh:02d}:{mi:02d}:{ss:02d} {off}"

    def fmt_plain(self, s: int) -> str:
        """'2025-01-15 14:22:33' (no zone; used for UTC timelines)."""
        d, rem = divmod(s, 86400)
        y, m, dd = self.ymd[d]
        hh, rem = divmod(rem, 3600)
        mi, ss = divmod(rem, 60)
        return f"{y:04d}-{m:02d}-{dd:02d} {hh:02d}:{mi:02d}:{ss:02d}"

    def fmt_iso_ms(self, s: int, ms: int) -> str:
        d, rem = divmod(s, 86400)
        y, m, dd = self.ymd[d]
        hh, rem = divmod(rem, 3600)
        mi, ss = divmod(rem, 60)
        return f"{y:04d}-{m:02d}-{dd:02d}T{hh:02d}:{mi:02d}:{ss:02d}.{ms:03d}Z"

    def fmt_date(self, s: int) -> str:
        y, m, dd = self.ymd[s // 86400]
        return f"{y:04d}-{m:02d}-{dd:02d}"

    def add_months(self, s: int, months: int) -> int:
        """Same time of day, ``months`` later, day clamped to month end."""
        d, rem = divmod(s, 86400)
        y, m, dd = self.ymd[d]
        m0 = m - 1 + months
        y, m = y + m0 // 12, m0 % 12 + 1
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        dd = min(dd, (nxt - timedelta(days=1)).day)
        return (date(y, m, dd) - self.start).days * 86400 + rem


# --------------------------------------------------------------------------
# shared customer-population model
# --------------------------------------------------------------------------

def order_count(r: Random, one_time: float = 0.68, cap: int = 45) -> int:
    """Orders in the history: mostly 1, else a heavy (Pareto) tail to 10-30+."""
    if r.random() < one_time:
        return 1
    return min(cap, 2 + int((r.paretovariate(1.6) - 1.0) * 1.5))


class Person:
    __slots__ = ("first", "last", "email", "phone", "address1", "address2", "company",
                 "city", "prov", "prov_name", "zip", "country", "taxes", "area")

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _email_local(r: Random, first: str, last: str) -> str:
    last = last.replace("'", "")
    n = r.randrange(1, 100)
    yr = r.randrange(60, 100) if r.random() < 0.5 else r.randrange(0, 8)
    style = r.randrange(10)
    if style == 0:
        return f"{first}.{last}"
    if style == 1:
        return f"{first}{last}"
    if style == 2:
        return f"{first[0]}{last}{n}"
    if style == 3:
        return f"{first}_{last}"
    if style == 4:
        return f"{first}.{last}{yr:02d}"
    if style == 5:
        return f"{first}{n}"
    if style == 6:
        return f"{last}.{first[0]}"
    if style == 7:
        return f"{first}.{last[0]}{n}"
    if style == 8:
        return f"{first}{last}{yr:02d}"
    return f"{first[0]}.{last}"


def make_person(r: Random, locale: str = "us") -> Person:
    p = Person()
    if locale == "eu":
        (p.first, fa), (p.last, la) = r.choice(EU_FIRST), r.choice(EU_LAST)
        domain = _pick(r, EU_DOMAINS, EU_DOMAIN_CUM)
        p.country = _pick(r, EU_COUNTRIES, EU_COUNTRY_CUM)
        p.email = f"{_email_local(r, fa, la)}@{domain}"
        p.phone = p.address1 = p.address2 = p.company = p.city = p.prov = p.prov_name = p.zip = ""
        p.taxes, p.area = [], ""
        return p
    (p.first, fa), (p.last, la) = r.choice(US_FIRST), r.choice(US_LAST)
    domain = _pick(r, US_DOMAINS, US_DOMAIN_CUM)
    p.email = f"{_email_local(r, fa, la)}@{domain}"
    city = _pick(r, US_CITIES, US_CITY_CUM)
    p.city, p.prov, p.prov_name, zip3, _, p.taxes = city
    p.zip = f"{zip3}{r.randrange(100):02d}"
    p.country = "US"
    p.area = r.choice(US_AREA[p.prov])
    p.phone = f"{p.area}55501{r.randrange(100):02d}" if r.random() < 0.45 else ""
    p.address1 = f"{r.randrange(1, 9800)} {r.choice(STREETS)} {r.choice(STREET_SUFFIX)}"
    u = r.random()
    p.address2 = (f"Apt {r.randrange(1, 40)}{r.choice('ABCD')}" if u < 0.14
                  else f"Unit {r.randrange(1, 300)}" if u < 0.19
                  else f"Suite {r.randrange(1, 9) * 100}" if u < 0.21 else "")
    p.company = r.choice(COMPANIES) if r.random() < 0.05 else ""
    return p


def _unique_email(seed, tag, i, email: str, seen: dict) -> str:
    if email not in seen:
        return email
    local, _, domain = email.partition("@")
    k = 0
    while True:
        r = _rng(seed, tag, i, "dup", k)
        cand = f"{local}{r.randrange(100, 10000)}@{domain}"
        if cand not in seen:
            return cand
        k += 1


class Customer:
    __slots__ = ("idx", "person", "email", "accepts_marketing", "n_orders", "times")


class Population:
    """A reproducible population of buyers: identity + purchase timeline.

    ``customer(i)`` is a pure function of (seed, tag, i) (plus the email
    de-duplication table filled by ``iter_customers``), so large exports can
    regenerate customers on demand instead of holding them all in memory.
    """

    def __init__(self, seed: int, tag: str, n: int, calendar: Calendar,
                 locale: str = "us", one_time: float = 0.68):
        self.seed, self.tag, self.n, self.cal = seed, tag, n, calendar
        self.locale, self.one_time = locale, one_time
        self._email_fix: dict[int, str] = {}

    def customer(self, i: int, with_times: bool = True) -> Customer:
        """Customer ``i``: identity and order count (one stream), and, unless
        ``with_times`` is false, the purchase timeline (a second stream)."""
        r = _rng(self.seed, self.tag, "cust", i)
        c = Customer()
        c.idx = i
        c.person = make_person(r, self.locale)
        c.email = self._email_fix.get(i, c.person.email)
        c.accepts_marketing = r.random() < 0.55
        c.n_orders = n = order_count(r, self.one_time)
        c.times = None
        if not with_times:
            return c
        r = _rng(self.seed, self.tag, "sched", i)
        cal = self.cal
        last = cal.ndays - 1
        # repeat buyers must have room for their orders: heavier -> earlier start
        hi = last - min(420, 25 * (n - 1))
        first = cal.moment(r, 0, max(0, hi))
        times = [first]
        d0 = first // 86400
        for _ in range(n - 1):
            s = cal.moment(r, d0, last)
            times.append(s if s > first else cal.normalize(first + r.randrange(600, 7200)))
        times.sort()
        c.times = times
        return c

    def iter_customers(self):
        """Yield every customer once, making emails unique along the way."""
        seen: dict[str, int] = {}
        for i in range(self.n):
            c = self.customer(i)
            email = _unique_email(self.seed, self.tag, i, c.email, seen)
            if email != c.email:
                self._email_fix[i] = email
                c.email = email
            seen[email] = i
            yield c


def email_variant(r: Random, email: str) -> str:
    """Upper/mixed-case version of an email, sometimes padded with spaces."""
    u = r.random()
    if u < 0.4:
        v = email.upper()
    elif u < 0.75:
        local, _, dom = email.partition("@")
        v = ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + dom.capitalize()
    else:
        v = email if r.random() < 0.5 else email.capitalize()
    if v == email or r.random() < 0.35:
        v = r.choice([" ", "  "]) + v + r.choice([" ", "", "  "])
    return v


# --------------------------------------------------------------------------
# 1. Shopify orders export
# --------------------------------------------------------------------------

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
    "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,"
    "Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,"
    "Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,"
    "Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,"
    "Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,"
    "Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,"
    "Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")
assert len(SHOPIFY_HEADER) == 79
_C = {name: i for i, name in enumerate(SHOPIFY_HEADER)}
_LINE_COLS = [_C[n] for n in SHOPIFY_HEADER if n.startswith("Lineitem")] + [
    _C["Name"], _C["Email"], _C["Created at"], _C["Vendor"]]

# (product, variants, price cents, compare-at cents or 0, vendor, sku stem, weight, kind)
CATALOG = [
    ("Merino Crew Socks", ["Charcoal / M", "Charcoal / L", "Oat / M", "Navy / L"], 1800, 0, "Northwind", "SOCK-MER", 14, "goods"),
    ("Organic Cotton Tee", ["White / S", "White / M", "Black / M", "Black / L", "Sage / M"], 2800, 0, "Northwind", "TEE-ORG", 12, "goods"),
    ("Everyday Canvas Tote", ["Natural", "Black"], 3400, 0, "Northwind", "TOTE-CNV", 8, "goods"),
    ("Wool Beanie", ["Charcoal", "Rust", "Cream"], 2600, 3200, "Northwind", "HAT-WOL", 7, "goods"),
    ("Waxed Field Jacket", ["Olive / M", "Olive / L", "Navy / M"], 18900, 22900, "Northwind", "JKT-WAX", 3, "goods"),
    ("Fleece Quarter Zip", ["Oat / M", "Forest / L"], 7800, 0, "Northwind", "FLC-QZ", 5, "goods"),
    ("Stoneware Mug", ["Speckle", "Sage", "Ink"], 2200, 0, "Kiln & Co", "MUG-STN", 9, "goods"),
    ("Ceramic Pour-Over Set", ["White", "Matte Black"], 4800, 5600, "Kiln & Co", "POUR-CER", 4, "goods"),
    ("Cold Brew Coffee Beans 12oz", ["Whole Bean", "Ground"], 1700, 0, "Roastery 19", "COF-CB12", 10, "goods"),
    ("Single Origin Sampler", ["3 x 4oz"], 3200, 0, "Roastery 19", "COF-SMP3", 5, "goods"),
    ("Leather Card Wallet", ["Tan", "Black"], 5400, 0, "Hide Supply", "WAL-CRD", 4, "goods"),
    ("Waxed Canvas Weekender", ["Olive", "Navy"], 14800, 16500, "Hide Supply", "BAG-WKD", 2, "goods"),
    ("Beeswax Candle", ["Small", "Large"], 1600, 0, "Hive & Wick", "CDL-BWX", 7, "goods"),
    ("Linen Napkins (Set of 4)", ["Flax", "Clay"], 3600, 0, "Northwind", "NAP-LIN4", 3, "goods"),
    ("Trail Mix Bundle", ["Classic"], 2400, 0, "Northwind Pantry", "SNK-TRL", 5, "goods"),
    ("Gift Card", ["$25", "$50", "$100"], 0, 0, "Northwind", "", 3, "gift"),
]
CATALOG_CUM = _cum([p[6] for p in CATALOG])
GIFT_PRICES = {"$25": 2500, "$50": 5000, "$100": 10000}
PROTECTION = ("Shipping Protection", 298, "Route")

NOTES_ONE = ["Please leave at the back door.", "Gift - no prices in the box please",
             "Ring bell twice", "Can you gift wrap this?", "Happy birthday Sam!",
             "Deliver to front desk", "Second order this month, love it"]
NOTES_MULTI = [
    "Please leave at the back door.\nGate code 4411",
    "Gift for my mom!\nPlease include a note: Love you, J.",
    "Ship together with order from last week\nThanks!",
    "Dear team,\nthe last mug arrived chipped.\nCould you double-box this one?",
    "Call before delivery\nNot home on Mondays",
    "Address line 2 is the studio, not apartment\nBuzz #3",
]
INJECTIONS = ['=HYPERLINK("http://x.example","click")', "=1+1", "+1+1 please call",
              "-2+3", "@SUM(A1:A9)", "=cmd|' /C calc'!A0", "+SUM(1,2)", "-@foo",
              "@mention the team", "=IMPORTXML(\"http://x.example\",\"//a\")"]
NAME_INJECTIONS = ["=HYPERLINK(\"http://x.example\",\"click\")", "+Jane Doe", "-Bob Smith",
                   "@Alice Example", "=1+2 Carter"]
EMPLOYEES = ["Jordan Reyes", "Sam Whitaker", "Priya Raman", "Alex Moreno"]
LOCATIONS = [("Brooklyn Flagship", ["83721", "83722"]), ("Portland Pop-up", ["90411"])]
EXCHANGE_APPS = ["3426665", "1354745", "4555605"]
STAFF = [("QA Test", "qa@northwind-goods.example"), ("Sam Whitaker", "sam+test@northwind-goods.example")]

SHOPIFY_ITEMS_PER_CUSTOMER = 3.12  # measured: line-item rows per population customer


def _shopify_status(r: Random, kind: str) -> str:
    if kind in ("test", "exchange"):
        return "paid"
    u = r.random()
    if kind == "draft":
        return "paid" if u < 0.9 else "partially_paid" if u < 0.95 else "pending"
    if u < 0.04:
        return "refunded"
    if u < 0.09:
        return "partially_refunded"
    if u < 0.10:
        return "voided"
    if u < 0.11:
        return "pending"
    if u < 0.1145:
        return "authorized"
    if u < 0.1175:
        return "partially_paid"
    return "paid"


def shopify_orders(path, customers: int = 2800, seed: int = DEFAULT_SEED,
                   line_items: int | None = None) -> dict:
    """Write a Shopify 'Export orders' CSV (one row per line item).

    With ``line_items`` the population is scaled so the file has roughly that
    many line-item rows; rows are streamed to disk order by order.
    """
    if line_items:
        customers = max(20, round(line_items / SHOPIFY_ITEMS_PER_CUSTOMER))
    cal = Calendar(date(2023, 7, 1), growth=1.5)
    pop = Population(seed, "shopify", customers, cal, one_time=0.72)
    if customers >= (1 << 24) - 8:
        raise ValueError("too many customers")
    GUEST, TEST = (1 << 24) - 1, (1 << 24) - 2
    extra = _rng(seed, "shopify", "extras")

    # pass 1: a compact, sortable schedule of every order (local seconds, who, which)
    keys: list[int] = []
    n_real = 0
    for c in pop.iter_customers():
        for k, s in enumerate(c.times):
            keys.append((s << 32) | (c.idx << 8) | k)
            if extra.random() < 0.011:  # a $0 exchange a few days later
                ex = s + extra.randrange(3 * 86400, 21 * 86400)
                if ex <= cal.end_s:
                    keys.append((cal.normalize(ex) << 32) | (c.idx << 8) | 0x80 | k)
        n_real += len(c.times)
    for _ in range(round(n_real * 0.031)):
        keys.append((cal.moment(extra) << 32) | (GUEST << 8))
    for _ in range(max(2, round(n_real * 0.003))):
        keys.append((cal.moment(extra) << 32) | (TEST << 8))
    keys.sort()

    r = _rng(seed, "shopify", "orders")
    stats = {"orders": 0, "rows": 0, "customers": customers}
    order_id = 5_210_000_000_000 + r.randrange(10**9)
    end_s = cal.end_s
    fmt = cal.fmt_eastern
    with open_out(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(SHOPIFY_HEADER)
        for n, key in enumerate(keys):
            s, who, k = key >> 32, (key >> 8) & 0xFFFFFF, key & 0xFF
            number = 1001 + n
            order_id += r.randrange(1000, 9_000_000)
            # ---- who and what kind of order
            accepts = "no"
            phone = ""
            tags = []
            if who == GUEST:
                kind = "guest"
                p = make_person(r)
                email = ""
                if r.random() < 0.5:
                    phone = f"'+1 555 0{r.randrange(10, 100)} {r.randrange(10000):04d}"
            elif who == TEST:
                kind = "test"
                p = make_person(r)
                p.first, p.last = r.choice(STAFF)[0].split(" ", 1)
                email = r.choice(STAFF)[1]
                tags.append("test")
            else:
                c = pop.customer(who, with_times=False)
                p = c.person
                email = c.email
                accepts = "yes" if c.accepts_marketing else "no"
                kind = "exchange" if k & 0x80 else "normal"
                if kind == "normal" and r.random() < 0.02:
                    kind = "draft"
                if (k & 0x7F) >= 1 and r.random() < 0.03:
                    email = email_variant(r, email)
                if p.phone and r.random() < 0.6:
                    phone = f"'+1 {p.area} 555 01{p.phone[-2:]}"
                if c.n_orders >= 10:
                    tags.append("VIP")
            source = "web"
            if kind == "draft":
                source = "shopify_draft_order"
            elif kind == "exchange":
                source = r.choice(EXCHANGE_APPS)
            elif kind in ("normal", "guest"):
                u = r.random()
                source = "pos" if u < 0.07 else "tiktok" if u < 0.10 else "web"
            pos = source == "pos"
            if source == "tiktok":
                tags.append("TikTok")
            if kind == "exchange":
                tags.append("exchange")
            if kind == "draft" and r.random() < 0.4:
                tags.append("wholesale")

            # ---- line items
            ni = _pick(r, (1, 2, 3, 4), (58, 86, 96, 100)) if kind != "exchange" else 1
            chosen = []
            for _ in range(ni):
                for _try in range(4):
                    prod = _pick(r, CATALOG, CATALOG_CUM)
                    if pos and prod[7] == "gift":
                        continue
                    variant = r.choice(prod[1])
                    if all(x[0] is not prod or x[1] != variant for x in chosen):
                        break
                else:
                    continue
                qty = 1 if kind == "exchange" else _pick(r, (1, 2, 3), (85, 96, 100))
                chosen.append((prod, variant, qty))
            items = []  # [name, qty, price, compare, sku, ship, taxable, vendor, discountable]
            for prod, variant, qty in chosen:
                name = f"{prod[0]} - {variant}"
                if prod[7] == "gift":
                    items.append([name, qty, GIFT_PRICES[variant], 0, "", False, False, prod[4], False])
                else:
                    vi = prod[1].index(variant)
                    price = 0 if kind == "exchange" else prod[2]
                    compare = prod[3] or (prod[2] if kind == "exchange" else 0)
                    items.append([name, qty, price, compare, f"{prod[5]}-{vi + 1:02d}", True, True,
                                  prod[4], True])
            needs_ship = any(it[5] for it in items) and not pos
            if (source == "web" and needs_ship and len(items) < 4 and kind != "exchange"
                    and r.random() < 0.12):
                items.append([PROTECTION[0], 1, PROTECTION[1], 0, "", False, False, PROTECTION[2], False])

            subtotal = sum(it[1] * it[2] for it in items)
            merch = sum(it[1] * it[2] for it in items if it[8])
            taxable = sum(it[1] * it[2] for it in items if it[6])
            # ---- shipping
            if not needs_ship:
                ship_method, shipping = "", 0
            elif kind == "exchange":
                ship_method, shipping = "Standard Shipping", 0
            elif r.random() < 0.13:
                ship_method, shipping = "Express Shipping", 1495
            elif merch >= 7500:
                ship_method, shipping = "Free Shipping", 0
            else:
                ship_method, shipping = "Standard Shipping", 695
            # ---- discount
            y, mo, dd = cal.date_of(s)
            bfcm = 0 <= (date(y, mo, dd) - black_friday(y)).days <= 3
            code, disc = "", 0
            if kind not in ("exchange", "test") and merch > 0:
                u = r.random()
                if bfcm and u < 0.5:
                    code, disc = "BFCM25", merch * 25 // 100
                elif u < 0.15:
                    if k == 0 and r.random() < 0.5:
                        code, pct = "WELCOME10", 10
                    elif source == "tiktok":
                        code, pct = "TIKTOK10", 10
                    elif "VIP" in tags:
                        code, pct = "VIP20", 20
                    elif mo in (6, 7, 8):
                        code, pct = "SUMMER20", 20
                    elif mo in (3, 4, 5):
                        code, pct = "SPRING15", 15
                    elif mo == 12:
                        code, pct = "HOLIDAY15", 15
                    else:
                        code, pct = "FRIENDS15", 15
                    disc = merch * pct // 100
                elif u < 0.18 and shipping:
                    code, disc = "FREESHIP", shipping
            merch_disc = 0 if code == "FREESHIP" else disc
            # ---- taxes (per jurisdiction, on taxable goods net of discount)
            base = taxable - (merch_disc * taxable // merch if merch else 0)
            tax_lines = [] if kind == "exchange" else [
                (f"{nm} {rate / 1000:g}%", (base * rate + 50000) // 100000) for nm, rate in p.taxes]
            tax_lines = [t for t in tax_lines if t[1] > 0]
            taxes = sum(t[1] for t in tax_lines)
            total = subtotal + shipping + taxes - disc
            # ---- payment, fulfilment, refunds
            status = _shopify_status(r, kind)
            cancelled = ((status == "refunded" and r.random() < 0.3)
                         or (status == "voided" and r.random() < 0.75)
                         or (status == "pending" and r.random() < 0.1)
                         or (status == "paid" and kind == "normal" and r.random() < 0.002))
            if total <= 2 and status in ("partially_refunded", "partially_paid"):
                status = "paid"
            paid_at = ""
            if status in ("paid", "refunded", "partially_refunded", "partially_paid"):
                lag = r.randrange(3600, 3 * 86400) if kind == "draft" else r.randrange(0, 6)
                paid_at = fmt(min(cal.normalize(s + lag), end_s))
            refunded = (total if status == "refunded" else
                        r.randrange(max(1, total // 20), total * 4 // 5) if status == "partially_refunded"
                        else 0)
            outstanding = (total if status in ("pending", "authorized", "voided")  # a voided payment was never taken: Shopify leaves the whole total outstanding
                           else total - total * r.randrange(30, 71) // 100 if status == "partially_paid"
                           else 0)
            cancelled_at = ""
            if cancelled:
                cancelled_at = fmt(min(cal.normalize(s + r.randrange(600, 2 * 86400)), end_s))
            fulfilled_at, f_status, li_status = "", "unfulfilled", "pending"
            if not cancelled and status not in ("voided", "pending", "authorized"):
                if pos or not needs_ship:
                    ft = s + r.randrange(0, 120)
                else:
                    ft = s + r.randrange(6 * 3600, 5 * 86400)
                if ft <= end_s:
                    fulfilled_at = fmt(cal.normalize(ft))
                    f_status = li_status = "fulfilled"
                    if len(items) >= 2 and r.random() < 0.02:
                        f_status = "partial"
            # ---- payment method / reference
            if kind == "test":
                pay = "Bogus"
            elif kind == "draft":
                pay = "manual"
            elif kind == "exchange":
                pay = ""
            elif pos:
                pay = "Cash" if r.random() < 0.25 else "Shopify Payments"
            elif source == "tiktok":
                pay = "TikTok Pay"
            else:
                pay = _pick(r, ("Shopify Payments", "PayPal Express Checkout", "Shop Pay Installments",
                                "Shopify Payments + gift_card", "gift_card"), (76, 92, 95, 98, 100))
            ref = ""
            if pay and pay not in ("manual", "Cash"):
                ref = f"c{r.randrange(10**13, 10**14)}.1"
            # ---- notes
            notes, attrs = "", ""
            u = r.random()
            if u < 0.05:
                notes = r.choice(NOTES_MULTI)
            elif u < 0.07:
                notes = r.choice(NOTES_ONE)
            elif u < 0.077:
                notes = r.choice(INJECTIONS)
            bill_name = p.name
            if r.random() < 0.003:
                bill_name = r.choice(NAME_INJECTIONS)
            u = r.random()
            if u < 0.03:
                attrs = f"gift_message: {r.choice(['Happy birthday!', 'Congrats!', 'Thinking of you'])}"
            elif u < 0.05:
                attrs = f"utm_source: {r.choice(['instagram', 'newsletter', 'google'])}\nutm_medium: {r.choice(['social', 'email', 'cpc'])}"
            # ---- first row: order-level fields
            row = [""] * 79
            row[_C["Financial Status"]] = status
            row[_C["Paid at"]] = paid_at
            row[_C["Fulfillment Status"]] = f_status
            row[_C["Fulfilled at"]] = fulfilled_at
            row[_C["Accepts Marketing"]] = accepts
            row[_C["Currency"]] = "USD"
            row[_C["Subtotal"]] = money(subtotal)
            row[_C["Shipping"]] = money(shipping)
            row[_C["Taxes"]] = money(taxes)
            row[_C["Total"]] = money(total)
            row[_C["Discount Code"]] = code
            row[_C["Discount Amount"]] = money(disc)
            row[_C["Shipping Method"]] = ship_method
            street = f"{p.address1}, {p.address2}" if p.address2 else p.address1
            bill_phone = f"+1{p.phone}" if p.phone else ""
            for col, val in (("Name", bill_name), ("Street", street), ("Address1", p.address1),
                             ("Address2", p.address2), ("Company", p.company), ("City", p.city),
                             ("Zip", f"'{p.zip}"), ("Province", p.prov), ("Country", "US"),
                             ("Phone", bill_phone)):
                row[_C["Billing " + col]] = val
            row[_C["Billing Province Name"]] = p.prov_name
            if needs_ship:
                if r.random() < 0.07:  # a gift to someone else
                    q = make_person(r)
                    sname = q.name
                    sstreet = f"{q.address1}, {q.address2}" if q.address2 else q.address1
                    svals = (q.address1, q.address2, q.company, q.city, f"'{q.zip}", q.prov, "US", "")
                    sprov = q.prov_name
                else:
                    sname, sstreet, sprov = bill_name, street, p.prov_name
                    svals = (p.address1, p.address2, p.company, p.city, f"'{p.zip}", p.prov, "US", bill_phone)
                row[_C["Shipping Name"]] = sname
                row[_C["Shipping Street"]] = sstreet
                for col, val in zip(("Address1", "Address2", "Company", "City", "Zip", "Province",
                                     "Country", "Phone"), svals):
                    row[_C["Shipping " + col]] = val
                row[_C["Shipping Province Name"]] = sprov
            row[_C["Notes"]] = notes
            row[_C["Note Attributes"]] = attrs
            row[_C["Cancelled at"]] = cancelled_at
            row[_C["Payment Method"]] = pay
            row[_C["Payment Reference"]] = ref
            row[_C["Refunded Amount"]] = money(refunded)
            row[_C["Outstanding Balance"]] = money(outstanding)
            if pos:
                loc, devices = r.choice(LOCATIONS)
                row[_C["Employee"]] = r.choice(EMPLOYEES)
                row[_C["Location"]] = loc
                row[_C["Device ID"]] = r.choice(devices)
            row[_C["Id"]] = str(order_id)
            row[_C["Tags"]] = ", ".join(sorted(tags))
            row[_C["Risk Level"]] = _pick(r, ("Low", "Medium", "High"), (96, 99, 100)) if not pos else "Low"
            row[_C["Source"]] = source
            for j, (tn, tv) in enumerate(tax_lines[:5]):
                row[_C[f"Tax {j + 1} Name"]] = tn
                row[_C[f"Tax {j + 1} Value"]] = money(tv)
            row[_C["Phone"]] = phone
            row[_C["Payment ID"]] = ref
            row[_C["Payment References"]] = ref
            if status == "partially_paid":
                row[_C["Payment Terms Name"]] = "Net 30"
                row[_C["Next Payment Due At"]] = fmt(cal.normalize(s + 30 * 86400))
            # ---- line items (discount allocated pro rata over discountable goods)
            name_s, created = f"#{number}", fmt(s)
            left = merch_disc
            disc_idx = [j for j, it in enumerate(items) if it[8]]
            for j, it in enumerate(items):
                if j:
                    row = [""] * 79
                ld = 0
                if merch_disc and it[8]:
                    ld = left if j == disc_idx[-1] else merch_disc * it[1] * it[2] // merch
                    left -= ld
                row[0] = name_s
                row[1] = email
                row[15] = created
                row[16] = str(it[1])
                row[17] = it[0]
                row[18] = money(it[2])
                row[19] = money(it[3]) if it[3] else ""
                row[20] = it[4]
                row[21] = "true" if it[5] else "false"
                row[22] = "true" if it[6] else "false"
                row[23] = ("fulfilled" if li_status == "fulfilled" and (j == 0 or f_status != "partial")
                           else "pending")
                row[_C["Vendor"]] = it[7]
                row[_C["Lineitem discount"]] = money(ld)
                w.writerow(row)
            stats["orders"] += 1
            stats["rows"] += len(items)
    return stats


# --------------------------------------------------------------------------
# 2. Stripe unified payments
# --------------------------------------------------------------------------

STRIPE_HEADER = (
    "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,"
    "Converted Amount Refunded,Converted Currency,Decline Reason,Description,Fee,"
    "Refunded date (UTC),Statement Descriptor,Status,Seller Message,Taxes On Fee,Card ID,"
    "Customer ID,Customer Description,Customer Email,Invoice ID,Transfer,plan (metadata),"
    "signup_source (metadata)"
).split(",")

MONTHLY_PLANS = [("starter_monthly", 1900), ("pro_monthly", 4900), ("business_monthly", 9900)]
ANNUAL_PLANS = [("starter_annual", 19000), ("pro_annual", 49000), ("business_annual", 99000)]
ONE_OFF = [("Template Pack", 2900), ("Credits (500)", 4900), ("Onboarding Workshop", 19900),
           ("Pro Course", 14900)]
DECLINES = [
    ("insufficient_funds", "The customer's account has insufficient funds to cover this payment."),
    ("do_not_honor", "The card has been declined for an unknown reason."),
    ("expired_card", "The card has expired."),
    ("incorrect_number", "The card number is incorrect."),
]
DECLINE_CUM = _cum([45, 30, 15, 10])
SIGNUP_SOURCES = ["organic", "google_ads", "referral", "product_hunt", "partner", "newsletter", ""]
SIGNUP_CUM = _cum([30, 22, 15, 5, 6, 7, 15])


def _stripe_id(r: Random, prefix: str, y: int) -> str:
    era = {2023: "3O", 2024: "3P", 2025: "3Q"}.get(y, "3R")
    return f"{prefix}_{era}{_token(r, 22)}"


def stripe_payments(path, customers: int = 2000, seed: int = DEFAULT_SEED) -> dict:
    """Write a Stripe Dashboard 'unified payments' CSV for a subscription business."""
    cal = Calendar(date(2023, 10, 1), growth=2.2, bfcm=1.3)
    end_s = cal.end_s
    # EUR->USD rate drifting within 1.05..1.12, one value per day
    fx = _rng(seed, "stripe", "fx")
    rate, rates = 1.085, []
    for _ in range(cal.ndays + Calendar.MARGIN):
        rate += fx.gauss(0, 0.0035)
        if rate < 1.05 or rate > 1.12:
            rate = min(1.12, max(1.05, rate)) - math.copysign(0.002, rate - 1.085)
        rates.append(round(rate, 4))

    events = []  # (created_s, seq, row dict)
    seq = 0
    id_switch = 0
    for i in range(customers):
        r = _rng(seed, "stripe", "cust", i)
        eu = r.random() < 0.15
        p = make_person(r, "eu" if eu else "us")
        cur = "eur" if eu else "usd"
        sepa = eu and r.random() < 0.35
        cus_ids = [f"cus_{_token(r, 14)}"]
        card = f"{'pm' if sepa or r.random() < 0.5 else 'card'}_1{_token(r, 23)}"
        u = r.random()
        desc_name = p.name if u < 0.3 else (r.choice(COMPANIES) if u < 0.38 else "")
        source = _pick(r, SIGNUP_SOURCES, SIGNUP_CUM)
        start = cal.moment(r)
        u = r.random()
        kind = "oneoff" if u < 0.40 else "monthly" if u < 0.87 else "annual"
        # ---- the list of intended charges: (time, amount cents, description, plan, invoice?)
        charges = []
        if kind == "oneoff":
            n = 1 if r.random() < 0.8 else min(12, 2 + int(r.paretovariate(1.3)) - 1)
            times = sorted([start] + [cal.moment(r, start // 86400) for _ in range(n - 1)])
            for t in times:
                prod, amt = r.choice(ONE_OFF)
                charges.append([max(t, start), amt, prod, "", False])
        else:
            plans = MONTHLY_PLANS if kind == "monthly" else ANNUAL_PLANS
            pi = _pick(r, (0, 1, 2), (50, 85, 100))
            step = 1 if kind == "monthly" else 12
            t, k = start, 0
            while t <= end_s:
                plan, amt = plans[pi]
                charges.append([t, amt, "Subscription creation" if k == 0 else "Subscription update",
                                plan, True])
                k += 1
                if kind == "monthly":
                    if k == 1 and r.random() < 0.40:
                        break
                    if k > 1 and r.random() < 0.045:
                        break
                    if pi < 2 and r.random() < 0.01:
                        pi += 1
                elif r.random() < 0.35:
                    break
                t = cal.add_months(start, step * k)
        if len(charges) >= 2 and r.random() < 0.14:
            cus_ids.append(f"cus_{_token(r, 14)}")
            switch_at = r.randrange(1, len(charges))
            id_switch += 1
        else:
            switch_at = len(charges)
        # ---- attempts: failures and retries, refunds, odd statuses
        for ci, (t, amt, desc, plan, invoice) in enumerate(charges):
            cus = cus_ids[0] if ci < switch_at else cus_ids[-1]
            inv = f"in_1{_token(r, 23)}" if invoice else ""
            attempts = [t]
            if r.random() < 0.036:  # first attempt declined, dunning retries
                a = t
                for _ in range(3):
                    a += r.randrange(2 * 86400, 5 * 86400)
                    attempts.append(a)
                    if r.random() < 0.55:
                        break
            failed_out = len(attempts) == 4 and r.random() < 0.6
            if r.random() < 0.01:  # an abandoned checkout / incomplete payment intent
                events.append((max(0, t - r.randrange(60, 3600)), seq, {
                    "id": "", "status": "requires_payment_method", "amt": amt, "cur": cur,
                    "cus": cus if r.random() < 0.5 else "", "email": p.email if r.random() < 0.3 else "",
                    "desc": desc, "inv": "", "card": "", "plan": plan, "src": source,
                    "cdesc": ""}))
                seq += 1
            if r.random() < 0.005:  # an uncaptured authorization that was canceled
                events.append((max(0, t - r.randrange(60, 600)), seq, {
                    "id": _stripe_id(r, "ch", cal.date_of(t)[0]), "status": "canceled", "amt": amt,
                    "cur": cur, "cus": cus, "email": p.email, "desc": desc, "inv": inv, "card": card,
                    "plan": plan, "src": source, "cdesc": desc_name}))
                seq += 1
            for ai, a in enumerate(attempts):
                if a > end_s:
                    break
                last = ai == len(attempts) - 1
                ok = last and not failed_out
                y = cal.date_of(a)[0]
                row = {"id": _stripe_id(r, "py" if sepa else "ch", y), "amt": amt, "cur": cur,
                       "cus": cus, "email": p.email, "desc": desc, "inv": inv, "card": card,
                       "plan": plan, "src": source, "cdesc": desc_name}
                if not ok:
                    reason = _pick(r, DECLINES, DECLINE_CUM)
                    row.update(status="Failed", decline=reason[0], msg=reason[1])
                    if reason[0] == "expired_card" and last:
                        card = f"pm_1{_token(r, 23)}"
                else:
                    u = r.random()
                    if (sepa and a > end_s - 3 * 86400) or u < 0.002:
                        row["status"] = "Pending"
                        row["id"] = _stripe_id(r, "py", y)
                    elif u < 0.018:
                        row.update(status="Refunded", refunded=amt,
                                   rdate=min(end_s, a + r.randrange(3600, 20 * 86400)))
                    elif u < 0.028:
                        row.update(status="Paid", refunded=amt * r.randrange(15, 70) // 100,
                                   rdate=min(end_s, a + r.randrange(3600, 25 * 86400)))
                    else:
                        row["status"] = "Paid"
                    if row["status"] != "Pending" and r.random() < 0.02:
                        row["email"] = ""
                events.append((a, seq, row))
                seq += 1
            if failed_out:  # involuntary churn: stop charging this customer
                break

    events.sort(key=lambda e: (-e[0], -e[1]))  # the dashboard lists newest first
    stats = {"rows": len(events), "customers": customers, "two_customer_ids": id_switch}
    with open_out(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(STRIPE_HEADER)
        for t, _, e in events:
            st = e["status"]
            amt = e["amt"]
            rate = rates[t // 86400] if e["cur"] == "eur" else 1.0
            conv = round(amt * rate)
            refunded = e.get("refunded", 0)
            conv_ref = round(refunded * rate)
            fee = 0
            if st in ("Paid", "Refunded", "Pending"):
                if e["id"].startswith("py_"):
                    fee = min(500, round(conv * 0.008))
                else:
                    fee = round(conv * (0.039 if e["cur"] == "eur" else 0.029)) + 30
            captured = "true" if st in ("Paid", "Refunded", "Pending") else "false"
            msg = e.get("msg", "Payment complete." if st in ("Paid", "Refunded") else "")
            w.writerow([
                e["id"], cal.fmt_plain(t), money(amt), money(refunded), e["cur"], captured,
                money(conv), money(conv_ref), "usd", e.get("decline", ""), e["desc"], money(fee),
                cal.fmt_plain(e["rdate"]) if "rdate" in e else "",
                "NORTHWIND APP" if st != "requires_payment_method" else "", st, msg, "0.00",
                e["card"], e["cus"], e["cdesc"], e["email"], e["inv"], "", e["plan"], e["src"],
            ])
    return stats


# --------------------------------------------------------------------------
# 3. product usage events (JSON Lines)
# --------------------------------------------------------------------------

FEATURES = ["dashboards", "segments", "funnels", "cohorts", "alerts", "exports", "api",
            "integrations", "templates", "ai_assistant"]
FEATURE_CUM = _cum([20, 16, 12, 9, 8, 8, 5, 7, 8, 7])
TIERS = ["power", "regular", "occasional", "churner"]
TIER_CUM = _cum([3, 15, 30, 52])
# per tier: p(active on a weekday), mean active lifetime (days), p(subscribes), p(one-time | buys)
TIER_PARAMS = {
    "power": (0.30, 1200, 0.85, 0.10, 0.95),
    "regular": (0.08, 260, 0.50, 0.55, 0.60),
    "occasional": (0.03, 180, 0.20, 0.92, 0.30),
    "churner": (0.0, 12, 0.04, 1.0, 0.08),
}
EVENT_HOUR_CUM = _cum([2, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 8, 9, 10, 10, 9, 8, 6, 5, 4, 4, 3, 2])


def _uuid4(r: Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def product_events(path, users: int = 1500, seed: int = DEFAULT_SEED) -> dict:
    """Write a Segment/Mixpanel-style event log for a SaaS app (keys sorted)."""
    cal = Calendar(date(2024, 1, 1), growth=2.0, bfcm=1.0)
    last = cal.ndays - 1
    events = []  # (ms, userId, seq, event, props)
    buyers = one_time = 0
    for i in range(users):
        r = _rng(seed, "events", "user", i)
        uid = f"u_{i + 1:06d}"
        tier = _pick(r, TIERS, TIER_CUM)
        p_active, life_mean, p_sub, p_once, p_buy = TIER_PARAMS[tier]
        signup = cal.day(r)
        life = max(1, int(r.expovariate(1 / life_mean)))
        stop = min(last, signup + life)
        out = []

        def at(day: int) -> int:
            s = day * 86400 + _pick(r, range(24), EVENT_HOUR_CUM) * 3600 + r.randrange(3600)
            return s * 1000 + r.randrange(1000)

        t0 = at(signup)
        out.append((t0, "Signed Up", {"source": _pick(r, SIGNUP_SOURCES, SIGNUP_CUM) or "direct"}))
        # active days
        days = [signup]
        if tier == "churner":
            days += sorted(r.randrange(signup, stop + 1) for _ in range(r.randrange(0, 4)))
        else:
            for d in range(signup + 1, stop + 1):
                y, m, dd = cal.ymd[d]
                wk = date(y, m, dd).weekday() >= 5
                if r.random() < p_active * (0.3 if wk else 1.0) * MONTH_WEIGHTS[m - 1]:
                    days.append(d)
        for d in days:
            t = at(d) if d != signup else t0 + r.randrange(5_000, 120_000)
            out.append((t, "Logged In", {}))
            for _ in range(_pick(r, (0, 1, 2, 3), (25, 72, 93, 100))):
                t += r.randrange(20_000, 900_000)
                out.append((t, "Feature Used", {"feature": _pick(r, FEATURES, FEATURE_CUM)}))
            if r.random() < (0.18 if tier == "power" else 0.07):
                t += r.randrange(20_000, 600_000)
                out.append((t, "Report Exported", {"format": r.choice(["csv", "pdf", "xlsx"])}))
            if r.random() < 0.025:
                t += r.randrange(20_000, 600_000)
                out.append((t, "Invite Sent", {"role": r.choice(["member", "member", "admin"])}))
        # subscription lifecycle
        if r.random() < p_sub and len(days) > 0:
            sd = min(stop, signup + r.randrange(0, 21))
            plan = _pick(r, ("starter", "pro", "business"), (50, 85, 100))
            billing = "annual" if r.random() < 0.2 else "monthly"
            out.append((at(sd), "Subscription Started", {"billing": billing, "plan": plan}))
            if stop < last - 30 or r.random() < 0.05:
                out.append((at(min(last, stop + r.randrange(0, 20))), "Subscription Cancelled",
                            {"plan": plan, "reason": r.choice(["too_expensive", "missing_feature",
                                                               "switched", "no_longer_needed", ""])}))
        # one-off purchases (credit packs, extra seats) on active days
        if r.random() < p_buy:
            n = 1 if r.random() < p_once else min(40, 2 + int((r.paretovariate(1.1) - 1) * 2.0))
            picks = sorted(r.choice(days) for _ in range(n))
            for d in picks:
                out.append((at(d), "Order Completed", {
                    "currency": "USD", "order_id": f"ord_{_token(r, 10)}",
                    "revenue": r.choice([19.0, 29.0, 49.0, 49.0, 99.0, 149.0, 12.5])}))
            buyers += 1
            one_time += n == 1
        for seq, (ms, ev, props) in enumerate(out):
            events.append((ms, uid, seq, ev, props, _uuid4(r)))

    events.sort(key=lambda e: (e[0], e[1], e[2]))
    with open_out(path) as f:
        for ms, uid, _, ev, props, mid in events:
            s, milli = divmod(ms, 1000)
            obj = {"event": ev, "messageId": mid, "properties": props,
                   "timestamp": cal.fmt_iso_ms(s, milli), "userId": uid}
            f.write(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
            f.write("\n")
    return {"rows": len(events), "customers": users, "buyers": buyers,
            "one_time_share": round(one_time / max(1, buyers), 3)}


# --------------------------------------------------------------------------
# 4. B2B CRM customer table
# --------------------------------------------------------------------------

CRM_HEADER = ("customer_id,email,first_name,last_name,company,phone,plan,mrr,signup_date,"
              "last_order_date,orders_count,total_spent,email_opt_in,status,failed_payments,"
              "notes").split(",")
B2B_COMPANIES_A = ["Acme", "Bluebird", "Northstar", "Copperline", "Lumen", "Riverbend", "Summit",
                   "Pinecrest", "Harborview", "Brightpath", "Ironwood", "Silverleaf", "Redwood",
                   "Keystone", "Evergreen", "Bayside", "Granite", "Meridian", "Atlas", "Orchard"]
B2B_COMPANIES_B = ["Analytics", "Logistics", "Dental Group", "Realty", "Studio", "Labs", "Foods",
                   "Outfitters", "Health", "Partners", "Consulting", "Software", "Supply Co",
                   "Media", "Robotics", "Financial"]
B2B_SUFFIX = ["", "", "", " Inc.", " LLC", " Ltd", ", Inc."]
CRM_NOTES = [
    "Renewal call booked, wants SSO", "Prefers invoices, net-30", "Champion left the company",
    "Asked about \"Team\" plan pricing", "Upsell candidate", "Referred by Harborview Realty",
    "Paused for summer", "VIP - handle with care", "Switched from competitor, needs migration help",
    "Billing contact: accounts payable", "Requested data export, GDPR", "Pilot extended to Q2",
    "Slow payer; reminded twice", "Interested in API add-on",
]
PLANS = ["Free", "Starter", "Growth", "Enterprise"]
PLAN_CUM = _cum([30, 35, 25, 10])


def crm_customers(path, customers: int = 1200, seed: int = DEFAULT_SEED) -> dict:
    """Write a B2B CRM export: one row per customer."""
    cal = Calendar(date(2022, 1, 1), growth=1.8, bfcm=1.0)
    last = cal.ndays - 1
    rows = []
    seen: dict[str, int] = {}
    ordered = one_time = 0
    for i in range(customers):
        r = _rng(seed, "crm", "cust", i)
        p = make_person(r)
        email = _unique_email(seed, "crm", i, p.email, seen)
        seen[email] = i
        company = (f"{r.choice(B2B_COMPANIES_A)} {r.choice(B2B_COMPANIES_B)}{r.choice(B2B_SUFFIX)}")
        if r.random() < 0.4:  # work addresses for many B2B contacts
            email = f"{email.split('@')[0]}@{company.split()[0].lower()}{r.randrange(10, 100)}.example"
            email = _unique_email(seed, "crm-w", i, email, seen)
            seen[email] = i
        signup = cal.day(r)
        plan = _pick(r, PLANS, PLAN_CUM)
        tenure = last - signup
        if tenure < 30 and plan != "Enterprise" and r.random() < 0.85:
            status = "trialing"
        elif tenure > 60 and r.random() < (0.18 if plan != "Free" else 0.3):
            status = "churned"
        else:
            status = "active"
        if plan == "Free":
            mrr = 0
        elif plan == "Starter":
            mrr = r.choice([2900, 4900, 7900, 9900])
        elif plan == "Growth":
            mrr = r.choice([19900, 29900, 39900, 59900])
        else:
            mrr = r.randrange(16, 161) * 5000  # 800.00 .. 8000.00
        if status == "churned":
            mrr = 0
        # orders: ~10% never ordered, then the shared count model
        never = r.random() < (0.10 if status != "trialing" else 0.7)
        if plan == "Free" and r.random() < 0.1:
            never = True
        n = 0 if never else order_count(r, 0.66)
        end_day = last if status != "churned" else signup + r.randrange(min(60, tenure), tenure + 1)
        scale = {"Free": 40, "Starter": 120, "Growth": 600, "Enterprise": 4000}[plan]
        spent = sum(int(scale * 100 * r.lognormvariate(0, 0.5)) for _ in range(n))
        last_order = cal.day(r, signup + (end_day - signup) * 2 // 3 if n > 1 else signup, end_day) if n else None
        failed = 0 if plan == "Free" else _pick(r, (0, 1, 2, 3, 4, 5), (80, 91, 96, 98, 99, 100))
        phone = ""
        if r.random() < 0.7:
            area, num = r.choice(US_AREA[p.prov]), f"01{r.randrange(100):02d}"
            phone = r.choice([f"+1 {area}-555-{num}", f"({area}) 555-{num}", f"{area}.555.{num}",
                              f"+1{area}555{num}"])
        notes = r.choice(CRM_NOTES) if r.random() < 0.22 else ""
        if n:
            ordered += 1
            one_time += n == 1
        rows.append((signup, i, [email, p.first, p.last, company, phone, plan, money(mrr),
                                 cal.fmt_date(signup * 86400),
                                 cal.fmt_date(last_order * 86400) if n else "", str(n), money(spent),
                                 "true" if r.random() < 0.6 else "false", status, str(failed), notes]))
    rows.sort(key=lambda x: (x[0], x[1]))
    with open_out(path) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CRM_HEADER)
        for j, (_, _, row) in enumerate(rows):
            w.writerow([f"C{100001 + j}"] + row)
    return {"rows": len(rows), "customers": customers,
            "one_time_share": round(one_time / max(1, ordered), 3)}


# --------------------------------------------------------------------------
# 5. European order log (semicolon, BOM, decimal comma, day-first dates)
# --------------------------------------------------------------------------

EU_HEADER = ["Order ID", "Customer Email", "Order Date", "Total", "Currency", "Country"]


def european_orders(path, customers: int = 2500, seed: int = DEFAULT_SEED) -> dict:
    """Write a European shop's order log in a typical Excel-Europe CSV dialect."""
    cal = Calendar(date(2023, 4, 1), growth=1.4, bfcm=1.8)
    pop = Population(seed, "european", customers, cal, locale="eu", one_time=0.68)
    orders = []
    basket = {}
    for c in pop.iter_customers():
        r = _rng(seed, "european", "basket", c.idx)
        bulk = r.random() < 0.03
        mean = r.lognormvariate(math.log(60), 0.45)
        basket[c.idx] = (bulk, mean)
        for k, s in enumerate(c.times):
            orders.append((s, c.idx, k, c.email, c.person.country))
    orders.sort(key=lambda o: (o[0], o[1], o[2]))
    r = _rng(seed, "european", "orders")
    with open_out(path, encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(EU_HEADER)
        for n, (s, idx, k, email, country) in enumerate(orders):
            bulk, mean = basket[idx]
            if bulk and r.random() < 0.7:
                cents = int(r.uniform(800, 4200) * 100)
            else:
                cents = max(490, int(r.lognormvariate(math.log(mean), 0.5) * 100))
                cents = cents - cents % 10 if r.random() < 0.7 else cents
            total = eu_money(cents) + (" €" if r.random() < 0.3 else "")
            y, m, d = cal.date_of(s)
            w.writerow([str(240001 + n), "" if r.random() < 0.005 else email,
                        f"{d:02d}/{m:02d}/{y:04d}", total, "EUR", country])
    return {"rows": len(orders), "customers": customers}


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

GENERATORS = {
    "shopify": shopify_orders,
    "stripe": stripe_payments,
    "events": product_events,
    "crm": crm_customers,
    "european": european_orders,
}


def generate_all(outdir=HERE, seed: int = DEFAULT_SEED) -> dict:
    outdir = Path(outdir)
    return {kind: fn(outdir / FILENAMES[kind], seed=seed) for kind, fn in GENERATORS.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate seeded, realistic (fake) customer exports. With no arguments, "
                    "regenerate all five example files next to this script.",
        epilog="example: %(prog)s shopify --line-items 1000000 --out /tmp/big.csv --seed 7")
    ap.add_argument("kind", nargs="?", default="all", choices=["all", *GENERATORS],
                    help="which export to write (default: all)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--out", help="output file for a single kind (default: examples/<name>); "
                                  "a .gz suffix writes gzip")
    ap.add_argument("--outdir", default=str(HERE), help="output directory for 'all' (default: %(default)s)")
    ap.add_argument("--customers", type=int, help="population size (users for 'events')")
    ap.add_argument("--line-items", type=int, help="shopify only: scale the population to about "
                                                   "this many line-item rows")
    a = ap.parse_args(argv)
    if a.line_items and a.kind != "shopify":
        ap.error("--line-items applies to the shopify export only")
    t0 = time.perf_counter()
    if a.kind == "all":
        if a.out or a.customers:
            ap.error("--out/--customers need a single kind")
        for kind, st in generate_all(a.outdir, a.seed).items():
            print(f"{FILENAMES[kind]}: {st}")
    else:
        out = Path(a.out) if a.out else Path(a.outdir) / FILENAMES[a.kind]
        kw = {"seed": a.seed}
        if a.customers:
            kw["users" if a.kind == "events" else "customers"] = a.customers
        if a.line_items:
            kw["line_items"] = a.line_items
        print(f"{out}: {GENERATORS[a.kind](out, **kw)}")
    print(f"done in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
