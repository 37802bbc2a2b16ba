"""The tool layer: one description per tool (parameters, result, function).

Front ends (the ``segment`` CLI, the skill scripts, API tool schemas, MCP) are built
from :data:`TOOLS`; none of them re-declares a parameter.
"""

from custseg.toolkit.brief import BRIEF
from custseg.toolkit.check import CHECK, CheckParams, CheckResult, check
from custseg.toolkit.profile import PROFILE, ProfileParams, ProfileResult, profile
from custseg.toolkit.rules import RULES
from custseg.toolkit.render_tool import RENDER, RenderParams, RenderResult, render
from custseg.toolkit.run import RUN, RunParams, RunResult, run
from custseg.toolkit.spec import Tool, add_arguments, dumps, params_from_dict, params_from_namespace, to_jsonable

TOOLS: dict[str, Tool] = {t.name: t for t in (PROFILE, RUN, RULES, BRIEF, CHECK, RENDER)}

__all__ = [
    "BRIEF",
    "CHECK",
    "CheckParams",
    "CheckResult",
    "RENDER",
    "RenderParams",
    "RenderResult",
    "check",
    "render",
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
