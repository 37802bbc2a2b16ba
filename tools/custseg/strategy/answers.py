"""The plan's budget against what the user said at intake (answers.json's budget answer).

The intake brief asks for "Budget and time" and SKILL.md has Claude save the user's words in
answers.json. A plan that types another budget (5,000 a month where the user said 500)
would have every budget check pass against a number nobody gave, so the amounts and hours
of the plan must be ones the user's answer names, at the same rate per period. An answer in
another currency than the data's is held to the exchange rate the user confirmed, which the
plan records (budget.conversion): the tools convert nothing themselves. Standard library only.
"""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.document import _number
from custseg.strategy.problems import Problem

# Periods in words, and how many of each fit in a month (to compare 2,400 a quarter with 800 a month).
PER_MONTH = {"week": 52 / 12, "month": 1.0, "quarter": 1 / 3, "year": 1 / 12}
_PERIOD_WORDS = {
    "week": ("week", "weekly", "wk"), "month": ("month", "monthly", "mo", "mth", "pcm"),
    "quarter": ("quarter", "quarterly", "qtr"), "year": ("year", "yearly", "annual", "annually", "annum", "yr"),
}
_PERIOD = "|".join(sorted((w for words in _PERIOD_WORDS.values() for w in words), key=len, reverse=True))
_CURRENCY_SIGNS = {"£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY"}
_CURRENCY_WORDS = {
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "cad": "CAD", "aud": "AUD", "chf": "CHF",
    "sek": "SEK", "nok": "NOK", "dkk": "DKK", "jpy": "JPY", "yen": "JPY", "inr": "INR", "rupees": "INR",
}
_HOUR_WORDS = r"(?:hours?|hrs?|h)\b"
# A number with an optional sign before and a multiplier after: £1.5k, 2,400, 800.
_AMOUNT = re.compile(
    r"(?:(?P<sign>[£€$¥])\s*)?(?P<num>\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<mult>k\b|m\b|thousand\b|grand\b)?",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "grand": 1_000, "m": 1_000_000}
# What may stand between an amount and its period: "a", "per", "/", "each", "every".
_PERIOD_AFTER = re.compile(rf"^\s*(?:[a-z]{{3}}\b\s*)?(?:a|an|per|/|each|every)?\s*(?P<period>{_PERIOD})\b", re.IGNORECASE)
_PERIODLY_BEFORE = re.compile(r"\b(?P<period>weekly|monthly|quarterly|yearly|annual|annually)\s+(?:budget\s+)?(?:of\s+)?(?:about\s+|around\s+|roughly\s+)?$", re.IGNORECASE)
BUDGET_LABEL = re.compile(r"budget", re.IGNORECASE)
TOLERANCE = 0.01  # 799.99 a month is the user's 800


def labelled(answers: Any, label: re.Pattern) -> list[tuple[str, Any]]:
    """(label, value) of the intake answers whose label matches: answers.json's keys are the
    intake questions' labels, as the model saved them ('Budget and time', 'Hypotheses')."""
    return [(k, v) for k, v in answers.items() if isinstance(k, str) and label.search(k)] if isinstance(answers, dict) else []


def budget_answer(answers: Any) -> tuple[str, str] | None:
    """(label, the user's words) of the intake's budget answer, or None when there is none."""
    return next(((k, str(v)) for k, v in labelled(answers, BUDGET_LABEL) if isinstance(v, (str, int, float)) and not isinstance(v, bool)), None)


def _period_of(text: str, start: int, end: int) -> str | None:
    """The period an amount is given per: the word after it ('800 a month', '5 hours/week')
    or a '-ly' word before it ('a monthly budget of 800'); None when the words name none."""
    after = _PERIOD_AFTER.match(text[end:end + 24])
    if after:
        return _period_name(after.group("period"))
    before = _PERIODLY_BEFORE.search(text[max(0, start - 40):start])
    return _period_name(before.group("period")) if before else None


def _period_name(word: str) -> str:
    word = word.lower()
    return next(name for name, words in _PERIOD_WORDS.items() if word in words)


def _currency_of(text: str, match: re.Match) -> str | None:
    if match.group("sign"):
        return _CURRENCY_SIGNS[match.group("sign")]
    word = re.match(r"\s*([a-z]+)", text[match.end():match.end() + 12], re.IGNORECASE)
    if word and word.group(1).lower() in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[word.group(1).lower()]
    before = re.search(r"([a-z]{3})\s*$", text[max(0, match.start() - 5):match.start()], re.IGNORECASE)
    return _CURRENCY_WORDS.get(before.group(1).lower()) if before and before.group(1).lower() in ("gbp", "eur", "usd", "cad", "aud", "chf") else None


# Words after a bare number that make it money or leave it open ('800 and 4 hours', '800.'),
# as against a count of something else ('3 campaigns', '2 people').
_OPEN_AFTER = ("a", "an", "per", "each", "every", "and", "or", "to", "plus", "max", "maximum", "tops", "total", "in", "for", "on")


def stated_amounts(text: str) -> tuple[list[tuple[float, str | None, str | None]], list[tuple[float, str | None]]]:
    """The money and the hours the user's words name: ([(amount, period, currency)], [(hours, period)]).

    Percentages and counts of other things ('3 campaigns', '2 people') are neither."""
    money, hours = [], []
    for match in _AMOUNT.finditer(text):
        after = text[match.end():match.end() + 16]
        if re.match(r"\s*(?:%|percent)", after, re.IGNORECASE):
            continue
        value = float(re.sub(r"[,\s]", "", match.group("num")))
        mult = (match.group("mult") or "").lower()
        value *= _MULTIPLIERS.get(mult, 1)
        unit = re.match(rf"\s*{_HOUR_WORDS}", after, re.IGNORECASE)
        if unit:  # '4 hours a week': the period follows the unit
            hours.append((value, _period_of(text, match.start(), match.end() + unit.end())))
            continue
        period = _period_of(text, match.start(), match.end())
        word = re.match(r"\s*([a-z]+)", after, re.IGNORECASE)
        word = word.group(1).lower() if word else None
        named = match.group("sign") or mult or period or word in _CURRENCY_WORDS
        if named or word is None or word in _OPEN_AFTER:
            money.append((value, period, _currency_of(text, match)))
    return money, hours


def _monthly(value: float, per: str | None) -> float:
    return value * PER_MONTH[per] if per in PER_MONTH else value


def _above_all(value: float, per: str | None, stated: list[tuple]) -> bool:
    """Whether the plan's value per its period is more than any the user said (2,400 a
    quarter is 800 a month; an answer without a period is compared as the plan's period).
    Less is the plan's choice: the user gave what can go to it, at most."""
    return all(_monthly(value, per) > _monthly(v, p if p else per) * (1 + TOLERANCE) for v, p, *_ in stated)


def _plain(value: float) -> str:
    """An amount as a person writes it: 2,400 or 381.5, not 2,400.00."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _said(stated: list[tuple], unit: str) -> str:
    parts = [_plain(value) + unit + (f" a {per}" if per else "") for value, per, *_ in stated]
    return " or ".join(parts)


def budget_against_answers(doc: dict, answers: Any, currency: str | None, final: bool = True) -> list[Problem]:
    """The plan's budget amount and hours above what the user's budget answer names, or (in
    the whole plan) no budget where the user gave one."""
    budget = doc.get("budget")
    answer = budget_answer(answers)
    if answer is None:
        return []
    label, words = answer
    money, hours = stated_amounts(words)
    quoted = words if len(words) <= 80 else words[:77] + "..."
    if budget is None and final and (money or hours):
        return [Problem("budget", "budget_not_users", f"the plan has no budget, and the user gave one ('{label}': \"{quoted}\"); add it as budget so the targeting shares divide it and the pathways' costs are held to it")]
    if not isinstance(budget, dict):
        return []
    problems = []
    amount = _number(budget.get("amount"))
    # An answer in another currency is converted at a rate the user confirms (the intake
    # brief says so): the tools know no rate, so the plan records theirs (budget.conversion).
    same_currency = [m for m in money if m[2] in (None, currency)] if currency else money
    if amount and same_currency and _above_all(amount, budget.get("per"), same_currency):
        problems.append(Problem("budget.amount", "budget_not_users", f"{amount:,.0f} a {budget.get('per')} is more than the user gave ('{label}': \"{quoted}\" names {_said(same_currency, '')}); use their amount and period, or ask them and save the new answer in answers.json"))
    elif amount and money and not same_currency:
        problems += _converted(budget, amount, money, currency, f"('{label}': \"{quoted}\")")
    elif amount and not money:
        problems.append(Problem("budget.amount", "budget_not_users", f"the user's answer ('{label}': \"{quoted}\") names no money, so an amount of {amount:,.0f} a {budget.get('per')} is not theirs; leave the amount at 0 for a plan of staff time only, or ask them for a budget and save it in answers.json"))
    spent_hours = _number(budget.get("hours"))
    hours_per = budget.get("hours_per") or budget.get("per")
    if spent_hours and hours and _above_all(spent_hours, hours_per, hours):
        problems.append(Problem("budget.hours", "budget_not_users", f"{spent_hours:g} hours a {hours_per} is more than the time the user gave ('{label}': \"{quoted}\" names {_said(hours, ' hours')}); use their hours and period (hours_per when they differ from the money's), or ask them"))
    return problems


def _converted(budget: dict, amount: float, money: list[tuple], currency: str, said: str) -> list[Problem]:
    """The user gave their budget in another currency than the data's ('£300 a month' on USD
    data, a trial): the plan's amount is theirs only at a rate they confirmed, which the plan
    records (budget.conversion) so that its figure can be traced to their words. The tools
    convert nothing: the rate is the user's; the amounts are held to it."""
    per = budget.get("per")
    conversion = budget.get("conversion") if isinstance(budget.get("conversion"), dict) else {}
    theirs = list(dict.fromkeys(m[2] for m in money))
    named = str(conversion.get("currency") or "").strip().upper()
    if named not in theirs:
        example = f'{{"amount": {_plain(money[0][0])}, "currency": "{theirs[0]}", "rate": <what 1 {theirs[0]} is worth in {currency}>}}'
        recorded = f"budget.conversion is in {named}, not the user's currency, so " if named else ""
        return [Problem("budget.conversion", "budget_not_converted", (
            f"the user gave their budget in {' or '.join(theirs)} {said}, and the plan's {_plain(amount)} {currency} a {per} is in the data's currency; "
            f"{recorded}the plan records no rate the user confirmed: the tools convert nothing, so ask the user which rate to use and record it as budget.conversion ({example}), "
            "with the amount their amount at that rate, so that the plan's figure can be traced to theirs"))]
    stated = [m for m in money if m[2] == named]
    value, rate = _number(conversion.get("amount")), _number(conversion.get("rate"))
    if value is None or rate is None:
        return []  # a missing or mistyped field: the schema check says so
    if _above_all(value, per, stated):
        return [Problem("budget.conversion.amount", "budget_not_users", f"{_plain(value)} {named} a {per} is more than the user gave {said}, which names {_said(stated, ' ' + named)}; use their amount and period, or ask them and save the new answer in answers.json")]
    if amount > value * rate * (1 + TOLERANCE):
        return [Problem("budget.amount", "budget_not_users", f"{_plain(amount)} {currency} a {per} is more than the user's {_plain(value)} {named} a {per} at the rate they confirmed ({rate:g} {currency} to 1 {named}), which is {_plain(value * rate)} {currency}; type at most that amount, or ask the user again and record the rate they give")]
    return []
