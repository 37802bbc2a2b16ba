"""Agent layer: the Anthropic API loop and tool schemas. Never imported by the runtime layers."""
