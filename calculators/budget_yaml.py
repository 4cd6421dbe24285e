"""Reading a budget's YAML safely and exactly: bounded work, numbers as Decimal, the line of every value.

A budget file is untrusted input, so reading it is bounded before anything walks it: at most ``MAX_BYTES``
of UTF-8, at most ``MAX_VALUES`` values once aliases (``&a`` / ``*a``) are expanded (a 500-byte alias bomb
expands to billions), no alias that contains itself, nesting at most ``MAX_DEPTH`` deep. libyaml
(``CSafeLoader``) parses when it is installed, else PyYAML's pure-Python ``SafeLoader``; both keep line
numbers. Floats are built as Decimal from their text (``0.010`` stays exactly 0.010), ``.nan``/``.inf`` as
Decimal NaN/Infinity for validation to reject by field, and an impossible date (``2025-02-30``) stays text so
the date check reports it by field too. A key written twice in one mapping, and an integer too long for Python to
read, are errors too. Every error is one ``BudgetError``: ``file:line: field: reason``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import BudgetError

MAX_BYTES = 4 * 1024 * 1024
MAX_VALUES = 100_000
MAX_DEPTH = 32
_SPECIAL = {".nan": "NaN", ".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity"}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loading (no tags that build objects) with Decimal floats and forgiving dates."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = loader.construct_scalar(node)
    try:
        return Decimal(_SPECIAL.get(text.lower(), text.replace("_", "")))
    except InvalidOperation:  # e.g. YAML 1.1 sexagesimal "1:30.5": left as text for validation to reject
        return text


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # "2025-02-30": the date check names the field and the reason
        return loader.construct_scalar(node)


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts (4,300): no count or price is that long
        raise yaml.constructor.ConstructorError(None, None, "a number too long to read", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read_text(path: Path) -> str:
    """The file as text: bounded in size, UTF-8 (a leading BOM is dropped), or one error naming the file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BudgetError(f"{path}:1: (file): cannot read budget file ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise BudgetError(f"{path}:1: (file): larger than {MAX_BYTES // (1024 * 1024)} MB; split the budget")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BudgetError(
            f"{path}:{line}: (encoding): not UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); "
            "save the file as UTF-8"
        ) from None


def load(text: str, path: Path) -> tuple[object, yaml.Node | None]:
    """Plain data (dicts, lists, str, int, Decimal, date) and its node tree, checked to be bounded first."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_bounded(node, path)
        return loader.construct_document(node), node
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path) from None
    finally:
        loader.dispose()


def _syntax_error(exc: yaml.YAMLError, path: Path) -> BudgetError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else 1
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return BudgetError(f"{path}:{line}: (yaml): not valid YAML ({reason})")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_bounded(root: yaml.Node, path: Path) -> None:
    """Count the values the document expands to (each shared node once, memoized): fast on any bomb."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    aliased = False

    def size(node: yaml.Node, depth: int) -> int:
        nonlocal aliased
        key = id(node)
        if key in sizes:
            aliased = True
            return sizes[key]
        line = node.start_mark.line + 1
        if key in open_nodes:
            raise BudgetError(f"{path}:{line}: (aliases): an alias refers to the value that contains it")
        if depth > MAX_DEPTH:
            raise BudgetError(f"{path}:{line}: (nesting): nested deeper than {MAX_DEPTH} levels")
        open_nodes.add(key)
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node, path)
        total = 1
        for child in _children(node):
            total += size(child, depth + 1)
            if total > MAX_VALUES:
                how = " through aliases (&name / *name)" if aliased else ""
                raise BudgetError(f"{path}:{line}: (size): expands to more than {MAX_VALUES:,} values{how}")
        open_nodes.discard(key)
        sizes[key] = total
        return total

    size(root, 0)


def _check_unique_keys(node: yaml.MappingNode, path: Path) -> None:
    """A key written twice in one mapping is an error: YAML would keep the last silently (a second ``model:``
    or ``calls_per_day:`` on a line is a typo, not an answer)."""
    first: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":  # (merge keys may repeat)
            continue
        line = key.start_mark.line + 1
        if key.value in first:
            raise BudgetError(f"{path}:{line}: {key.value}: written twice in one mapping (first on line "
                              f"{first[key.value]}); keep one")  # fmt: skip
        first[key.value] = line


def marks(node: yaml.Node) -> dict[tuple, int]:
    """The line of every path (``("lines", 0, "model")``) in a bounded node tree; a key's own line wins."""
    out: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, val in node.value:
                sub = path + (key.value,)
                walk(val, sub)
                out[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    walk(node, ())
    return out
