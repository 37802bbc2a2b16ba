"""What the user said each sales channel is: answers.json's "Channel names".

Shopify writes a sales-channel app's orders under the app's number (Source ``24986320897``),
and the intake's Sales channels question asks which app it is. The model records the
user's answer beside their words, as an object of channel -> name::

    "Channel names": {"24986320897": "Instagram Shop"}

The briefs and the report then show the name beside the number ("Instagram Shop (app
24986320897)"), never in its place: the number is the export's, the name the user's.
A key must be a channel the facts know (the kept orders' channels, those a run left out,
the marketplaces), and a name a short label: no email, web address or digit (every number
the report shows is a facts value). Standard library only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from custseg.strategy.problems import Problem

LABEL = "Channel names"  # the key in answers.json, beside the intake questions' bold labels
MAX_LENGTH = 40  # a label, as a column or a sentence takes it: 'Instagram Shop', 'TikTok Shop'
# Shopify's Source for a sales-channel app is its numeric id (ingest/channels.py channel_label says so too)
_APP_ID = re.compile(r"\d{4,}")
_FOLDED = re.compile(r"other channels \(\d+\)")  # by_channel's row of the channels past the first ten
_EMAIL = re.compile(r"@")
_URL = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+\.[a-z]{2,}\b)")
# what a label may hold besides letters and spaces
_PUNCTUATION = set("&'\u2019-.,()+/!:")
_RULE = f"a short label (at most {MAX_LENGTH} characters: letters, spaces and & ' - . , ( ) + / ! :)"


def known_channels(data: Any) -> list[str]:
    """The channels facts.json knows by name: those of the kept orders (data.by_channel, with the
    apps the intake asks about), those --exclude-channel left out, and the marketplaces."""
    data = data if isinstance(data, dict) else {}
    names = [c.get("channel") for c in data.get("by_channel") or [] if isinstance(c, dict)]
    left = data.get("excluded_channels") if isinstance(data.get("excluded_channels"), dict) else {}
    market = data.get("marketplace") if isinstance(data.get("marketplace"), dict) else {}
    names += list(left.get("channels") or []) + list(market.get("channels") or [])
    return list(dict.fromkeys(str(n) for n in names if isinstance(n, str) and n and not _FOLDED.fullmatch(n)))


def is_app(channel: str) -> bool:
    return bool(_APP_ID.fullmatch(channel))


def _given(answers: Any) -> tuple[str, Any] | None:
    """(the key as written, its value) of answers.json's Channel names, in any case."""
    if not isinstance(answers, dict):
        return None
    return next(((k, v) for k, v in answers.items() if isinstance(k, str) and k.strip().lower() == LABEL.lower()), None)


def _name_fault(name: Any) -> str | None:
    """Why a name is no short label, or None when it is one."""
    if not isinstance(name, str) or not name.strip():
        return "is not a name (a non-empty text)"
    text = name.strip()
    if _EMAIL.search(text):
        return "is an email address, not the app's name"
    if _URL.search(text):
        return "is a web address, not the app's name"
    if len(text) > MAX_LENGTH:
        return f"is {len(text)} characters long, more than a label's {MAX_LENGTH}"
    if any(ch.isdigit() for ch in text):
        return "holds a digit: every number the report shows is one of the facts, so spell it out or leave it out"
    odd = sorted({ch for ch in text if not (ch.isalpha() or ch == " " or ch in _PUNCTUATION)})
    if odd:
        return f"holds {' '.join(repr(ch) for ch in odd)}, which a label does not need"
    return None


def channel_name_problems(answers: Any, facts: dict) -> list[Problem]:
    """answers.json's Channel names against the facts: each key a channel the facts know,
    each name a short label. No Channel names: no problem."""
    given = _given(answers)
    if given is None:
        return []
    key, names = given
    where = f"answers.json[{json.dumps(key)}]"
    if not isinstance(names, dict):
        return [Problem(where, "schema", f'must be an object of channel -> the name the user gave it, like {{"24986320897": "Instagram Shop"}}, got {type(names).__name__}')]
    known = known_channels(facts.get("data"))
    listing = ", ".join(known) if known else "none (this export names no sales channel)"
    problems = []
    for channel, name in names.items():
        path = f"{where}[{json.dumps(channel)}]"
        if channel not in known:
            close = next((k for k in known if k.lower() == str(channel).strip().lower()), None)
            hint = f"; did you mean {close}, as the facts spell it?" if close else ""
            problems.append(Problem(path, "channel_name_unknown", f"'{channel}' is no sales channel of facts.json (data.by_channel, data.excluded_channels, data.marketplace): a name is recorded for a channel of this run, keyed exactly as the facts spell it; its channels are: {listing}{hint}"))
            continue
        fault = _name_fault(name)
        if fault:
            problems.append(Problem(path, "channel_name_not_label", f"the name for {channel} {fault}; record what the user calls the channel as {_RULE}, or leave it out"))
    return problems


def channel_names(answers: Any, facts: dict) -> dict[str, str]:
    """The names the user gave the facts' channels (answers.json's Channel names), those that
    pass the checks only, trimmed: channel -> name."""
    given = _given(answers)
    if given is None or not isinstance(given[1], dict):
        return {}
    known = set(known_channels(facts.get("data")))
    return {c: n.strip() for c, n in given[1].items() if c in known and _name_fault(n) is None}


def shown(channel: Any, names: dict[str, str]) -> str:
    """A channel as the briefs and the report show it: 'Instagram Shop (app 24986320897)' when
    the user named it (an app: Shopify's number), 'Our wholesale shop (Faire)' for another,
    else the channel as the export writes it."""
    channel = str(channel)
    name = names.get(channel)
    if not name:
        return channel
    return f"{name} ({'app ' if is_app(channel) else ''}{channel})"


def answer_words(value: Any) -> str:
    """An answer as the later briefs quote it: the user's words, or for Channel names each
    channel with its name ('24986320897: Instagram Shop')."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def refuse_bad_names(answers: Any, facts: dict, path: str | None) -> None:
    """For the tools that show the names without a plan to check (brief.py, render.py without
    STRATEGY): bad Channel names are bad input, one line naming answers.json (exit status 2)."""
    from custseg.errors import InputError

    problems = channel_name_problems(answers, facts)
    if problems:
        more = f" (and {len(problems) - 1} more like it)" if len(problems) > 1 else ""
        raise InputError(path, problems[0].line() + more)
