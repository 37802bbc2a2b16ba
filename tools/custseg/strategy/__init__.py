"""The strategy document: what a model writes, how it is checked, how its fact references resolve.

schema   the document, defined once with dataclasses, and its JSON Schema
resolve  fact keys of facts.json and the ``{fact.key}`` resolver (never a template engine)
validate problems of a document against the facts, each with a path, a code and a message
claims   the free-text claims facts can prove wrong (shares, trends, cadence, recency, comparisons)
problems the Problem a check reports and what each code means

Standard library only: this package runs inside the skill's container.
"""

from custseg.strategy.resolve import UnknownFactError, fact_formatter, fact_keys, resolve, resolve_document
from custseg.strategy.schema import SCHEMA_VERSION, StrategyDocument, strategy_json_schema
from custseg.strategy.problems import CODES, Problem
from custseg.strategy.validate import validate

__all__ = [
    "CODES",
    "Problem",
    "SCHEMA_VERSION",
    "StrategyDocument",
    "UnknownFactError",
    "fact_formatter",
    "fact_keys",
    "resolve",
    "resolve_document",
    "strategy_json_schema",
    "validate",
]
