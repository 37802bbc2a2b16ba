"""API tool schemas from the tool layer's dataclasses, via pydantic's TypeAdapter.

The same parameter description that builds the CLI options becomes the ``input_schema``
of an Anthropic API tool (and later an MCP tool), so no front end re-declares a field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import TypeAdapter

from custseg.toolkit import TOOLS, Tool


def input_schema(tool: Tool) -> dict[str, Any]:
    schema = TypeAdapter(tool.params).json_schema()
    schema.pop("title", None)
    # Field help texts become property descriptions the model reads.
    for f in dataclasses.fields(tool.params):
        prop = schema["properties"].get(f.name)
        if prop is not None and f.metadata.get("help"):
            prop["description"] = f.metadata["help"]
            prop.pop("title", None)
    return schema


def api_tools() -> list[dict[str, Any]]:
    """Tool definitions for the Messages API ``tools`` parameter."""
    return [{"name": t.name, "description": t.summary, "input_schema": input_schema(t)} for t in TOOLS.values()]


def validate_input(tool: Tool, data: dict[str, Any]) -> Any:
    """A model's tool call arguments as the tool's parameters (pydantic raises on bad input)."""
    return TypeAdapter(tool.params).validate_python(data)
