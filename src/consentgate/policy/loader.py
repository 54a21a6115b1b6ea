"""Load and validate a policy file once, at start-up; a bad file fails loudly.

Errors name the file and the line at fault, e.g.
``policy.yaml:14: rules.2.verdict: Input should be 'allow', 'review' or 'block'``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from consentgate.errors import ConfigError
from consentgate.policy.policy import Policy

DEFAULT_POLICY = "default.yaml"

Path_ = tuple[str | int, ...]


def _to_data(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    """Turn a composed YAML node into plain data, remembering each path's line."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(yaml.safe_load(yaml.serialize(key_node)))
            if key in out:
                raise ConfigError(f"{key_node.start_mark.line + 1}: duplicate key {key!r}")
            out[key] = _to_data(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(v, (*path, i), lines) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _line_for(loc: tuple[Any, ...], lines: dict[Path_, int]) -> int:
    path = tuple(p for p in loc if isinstance(p, (str, int)))
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}:{line}: not valid YAML: {problem}") from None
    if node is None:
        raise ConfigError(f"{source}:1: the policy file is empty")
    lines: dict[Path_, int] = {}
    try:
        data = _to_data(node, (), lines)
    except ConfigError as exc:
        raise ConfigError(f"{source}:{exc.message}") from None
    if isinstance(data, dict) and "coverage" not in data and source != DEFAULT_POLICY:
        # Coverage guards against silent gaps: a policy must opt out explicitly
        # (``coverage: []``), never by leaving the section out.
        data["coverage"] = [p.model_dump(mode="json") for p in load_policy().coverage]
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            # pydantic reports the alias "not" field and union branches in loc
            where = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
            prefix = f"{source}:{_line_for(err['loc'], lines)}: "
            messages.append(prefix + (f"{where}: " if where else "") + err["msg"])
        raise ConfigError("invalid policy\n" + "\n".join(messages)) from None


def load_policy(path: Path | None = None) -> Policy:
    """Load ``path``, or the default policy that ships with ConsentGate."""
    if path is None:
        text = files("consentgate.policy").joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")
        return parse_policy(text, source=DEFAULT_POLICY)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read policy file {path}: {exc.strerror}") from None
    return parse_policy(text, source=str(path))
