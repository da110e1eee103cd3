"""YAML loading that remembers the line of every mapping, key and list item."""
from __future__ import annotations

import re
from typing import Any

import yaml


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value if hasattr(key_node, "value")
        }
        return mapping

    def construct_sequence(self, node, deep=False):
        sequence = LineList(super().construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


    def construct_yaml_timestamp(self, node):
        """A date that does not exist (2026-13-01) stays the text it is, for the check to refuse with its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


class YamlProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load(text: str, *, aliases: bool = True) -> Any:
    """Parse YAML into LineDict/LineList; raises YamlProblem with the line of a syntax error.

    aliases=False refuses `*name` references, for text typed or uploaded in a browser: a few aliases of aliases
    make a document that unfolds into billions of values."""
    try:
        if not aliases:
            for event in yaml.parse(text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    raise YamlProblem(event.start_mark.line + 1, "YAML aliases (*name) are not accepted here")
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        written = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        hint = (" (inside {...} a text with '?' or ': ' needs quotes: en: \"What is wrong?\")"
                if "{" in written and re.search(r"\?|: .*: ", written.split("{", 1)[1]) else "")
        raise YamlProblem(line, f"invalid YAML: {error.problem or error}{hint}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"invalid YAML: {error}") from None
