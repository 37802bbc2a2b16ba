"""The tool layer: one description per tool (parameters, result, function).

Front ends (the ``segment`` CLI, the skill scripts, API tool schemas, MCP) are built
from :data:`TOOLS`; none of them re-declares a parameter.
"""

from custseg.toolkit.profile import PROFILE, ProfileParams, ProfileResult, profile
from custseg.toolkit.rules import RULES
from custseg.toolkit.run import RUN, RunParams, RunResult, run
from custseg.toolkit.spec import Tool, add_arguments, dumps, params_from_dict, params_from_namespace, to_jsonable

TOOLS: dict[str, Tool] = {t.name: t for t in (PROFILE, RUN, RULES)}

__all__ = [
    "PROFILE",
    "RULES",
    "RUN",
    "RunParams",
    "RunResult",
    "run",
    "TOOLS",
    "ProfileParams",
    "ProfileResult",
    "Tool",
    "add_arguments",
    "dumps",
    "params_from_dict",
    "params_from_namespace",
    "profile",
    "to_jsonable",
]
