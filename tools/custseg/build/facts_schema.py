"""facts.json's JSON Schema, for the skill's reference folder.

Derived from the dataclasses of custseg.facts.schema by pydantic, a dependency of the CLI and
the build but not of the skill's runtime (which never imports this module: the build writes the
schema into the zip as reference/facts.schema.json).
"""

from __future__ import annotations

from pydantic import TypeAdapter

from custseg.facts.schema import Facts


def facts_json_schema() -> dict:
    """Every object closed (no other keys), so a field the run writes but the dataclasses do not
    declare fails the tests that validate facts.json against it."""
    schema = TypeAdapter(Facts).json_schema()
    for node in [schema, *schema.get("$defs", {}).values()]:
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
