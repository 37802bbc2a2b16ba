"""The strategy document: what a model writes, how it is checked, how its fact references resolve.

schema      the document, defined once with dataclasses, and its JSON Schema
resolve     fact keys of facts.json and the ``{fact.key}`` resolver (never a template engine)
validate    problems of a document against the facts, each with a path, a code and a message;
            it runs the checks of the modules below
document    wrong types and fields, and the walk over a document's strings
figures     figures in free text that should be fact references or typed plan numbers
claims      the free-text claims facts can prove wrong (shares, trends, cadence, recency)
cited_claims claims held to the fact their own sentence cites (a cadence beside a gap, 'most' beside a share)
comparisons comparisons held to the two facts they cite ('came back more often than ...: {a} against {b}');
            comparisons_ranked, its sibling: a segment against another named, by their ranks in the
            facts, no figure cited ('bigger orders than the Champions'), called from claims
hunches     claims the data's span or a segment's facts rule out, or that nothing in the facts backs
tenure      claims about when a segment's customers joined
kpis        KPI baselines and targets
pathways    pathway moves, triggers and success targets
activity    plans on an event log's activity
budget      the pathways' costs against the budget
intake      the user's hunches and the plan's verdicts on them; a sample's figures told as the business's
automation  automation rules against the files each CRM or email tool imports
metrics     the metrics a plan may name, and which way each should move
ranking     which segments are better, and which went quiet
definitions what a segmentation's definition says about each segment's customers
problems    the Problem a check reports and what each code means

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
