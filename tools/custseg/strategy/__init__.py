"""The strategy document: what a model writes, how it is checked, how its fact references resolve.

schema   the document, defined once with dataclasses, and its JSON Schema
resolve  fact keys of facts.json and the ``{fact.key}`` resolver (never a template engine)
validate problems of a document against the facts, each with a path, a code and a message

Standard library only: this package runs inside the skill's container.
"""

from custseg.strategy.resolve import UnknownFactError, fact_formatter, fact_keys, resolve, resolve_document
from custseg.strategy.schema import SCHEMA_VERSION, StrategyDocument, strategy_json_schema
from custseg.strategy.validate import CODES, Problem, validate

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
