"""Budget files: YAML read exactly (numbers stay Decimal), validated by pydantic, errors with line numbers.

The YAML is composed once into nodes (which carry their line) and constructed into plain data; when pydantic
or a price string rejects something, the error's location (``lines.1.calls_per_day``) is walked through the
nodes to the line in the file, so every message reads ``budget.yaml:12: lines[1].calls_per_day: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import BudgetError, CalcError
from .lookup import ExplicitPrices
from .money import parse_amount
from .tco import category_of

KINDS = ("token", "inference", "finetune", "image", "fixed")

NonNegInt = Annotated[int, Field(ge=0)]
NonNeg = Annotated[Decimal, Field(ge=0)]
Share = Annotated[Decimal, Field(ge=0, le=1)]
Written = str | int | Decimal


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    name: str
    model: str | None = None
    vendor: str | None = None
    source: str | None = None
    prices: dict[str, Written] | None = None
    category: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _priced_one_way(self):
        if self.model and self.prices:
            raise ValueError("give either model (looked up in the warehouse) or prices, not both")
        if not self.model and not self.prices:
            raise ValueError("needs a model (looked up in the warehouse) or explicit prices")
        return self


class TokenLine(_Line):
    kind: Literal["token"]
    input_tokens: NonNegInt
    output_tokens: NonNegInt = 0
    calls_per_day: NonNeg = Decimal(1)
    days_per_month: Annotated[Decimal, Field(ge=0, le=31)] = Decimal(30)
    cached_share: Share = Decimal(0)
    batch_share: Share = Decimal(0)


class InferenceLine(TokenLine):
    kind: Literal["inference"]  # type: ignore[assignment]
    monthly_growth: Annotated[Decimal, Field(ge=-1)] = Decimal(0)


class FinetuneLine(_Line):
    kind: Literal["finetune"]
    examples: NonNegInt | None = None
    tokens_per_example: NonNegInt | None = None
    epochs: NonNegInt = 1
    gpu_hours: NonNeg | None = None
    iteration_buffer: NonNeg = Decimal(0)
    retrains_per_year: NonNeg = Decimal(0)

    @model_validator(mode="after")
    def _sized(self):
        if self.gpu_hours is None and (self.examples is None or self.tokens_per_example is None):
            raise ValueError("needs examples and tokens_per_example (and epochs), or gpu_hours")
        return self


class ImageLine(_Line):
    kind: Literal["image"]
    images: NonNegInt = 0
    images_per_month: NonNegInt = 0
    size: str | None = None
    quality: str | None = None


class FixedLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    kind: Literal["fixed"]
    category: str
    monthly: Written | None = None
    one_time: Written | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _some_amount(self):
        if self.monthly is None and self.one_time is None:
            raise ValueError("a fixed line needs monthly and/or one_time")
        return self


Line = Annotated[TokenLine | InferenceLine | FinetuneLine | ImageLine | FixedLine, Field(discriminator="kind")]


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    priced_on: date
    saved_total: Written | None = None
    description: str | None = None
    lines: Annotated[list[Line], Field(min_length=1)]


@dataclass
class BudgetFile:
    """A validated budget, where it came from, and the line of every field (for later errors)."""

    budget: Budget
    path: Path
    marks: dict[tuple, int] = field(default_factory=dict)
    explicit: dict[int, ExplicitPrices] = field(default_factory=dict)
    saved_total: Decimal | None = None

    def where(self, *loc) -> str:
        """``file:line: lines[1].model`` for error messages."""
        return f"{self.path}:{_line_of(self.marks, loc)}: {_dotted(loc)}"


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader that builds floats as Decimal from their text (``0.010`` stays exactly 0.010)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def _marks(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, val in node.value:
            sub = path + (key.value,)
            out[sub] = key.start_mark.line + 1
            _marks(val, sub, out)
            out[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _marks(item, path + (i,), out)
    return out


def _line_of(marks: dict[tuple, int], loc: tuple) -> int:
    path = tuple(loc)
    while path and path not in marks:
        path = path[:-1]
    return marks.get(path, 1)


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union tags (``lines.0.inference.calls_per_day`` -> ``lines.0.calls_per_day``)."""
    out = []
    for i, part in enumerate(loc):
        if part in KINDS and i > 0 and isinstance(loc[i - 1], int):
            continue
        out.append(part)
    return tuple(out)


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "union_tag_invalid":
        return f"unknown kind {ctx.get('tag')!r} (use one of {', '.join(KINDS)})"
    if kind == "union_tag_not_found":
        return f"missing kind (use one of {', '.join(KINDS)})"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see examples/budgets/)"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return f"cannot be negative ({err.get('input')})"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def budget_paths(target: Path | str) -> list[Path]:
    """A file, or every ``*.yaml``/``*.yml`` in a folder (sorted)."""
    path = Path(target)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        if not files:
            raise BudgetError(f"{path}: no budget files (*.yaml) in this folder")
        return files
    if not path.exists():
        raise BudgetError(f"{path}: no such budget file or folder")
    return [path]


def load_budget(path: Path | str) -> BudgetFile:
    """Read and validate one budget file; any problem is one BudgetError naming file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BudgetError(f"{path}: cannot read budget file ({exc.strerror})") from None
    return parse_budget(text, path)


def parse_budget(text: str, path: Path | str = "<budget>") -> BudgetFile:
    path = Path(path)
    loader = _DecimalLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise BudgetError(f"{path}:{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise BudgetError(f"{path}:1: a budget is a mapping with name, priced_on and lines")
    marks = _marks(node)
    try:
        budget = Budget.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt key also makes the real key "missing": report the typo, the root cause, first.
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = _clean_loc(err["loc"])
        if err["type"].startswith("union_tag"):
            loc = loc + ("kind",)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise BudgetError(f"{path}:{_line_of(marks, loc)}: {_dotted(loc)}: {_message(err)}{more}") from None
    bf = BudgetFile(budget, path, marks)
    _check_written(bf)
    return bf


def _check_written(bf: BudgetFile) -> None:
    """Price strings, categories and amounts, each error at its own line."""
    budget = bf.budget
    if budget.saved_total is not None:
        bf.saved_total = _amount(bf, budget.saved_total, ("saved_total",))
    for i, line in enumerate(budget.lines):
        if line.category is not None:
            try:
                category_of(line.category)
            except CalcError as exc:
                raise BudgetError(f"{bf.where('lines', i, 'category')}: {exc}") from None
        if isinstance(line, FixedLine):
            for name in ("monthly", "one_time"):
                if getattr(line, name) is not None:
                    _amount(bf, getattr(line, name), ("lines", i, name))
            continue
        if line.prices:
            for key in line.prices:
                try:
                    ExplicitPrices({key: line.prices[key]}, where="prices")
                except CalcError as exc:
                    msg = str(exc).split(": ", 1)[-1]
                    raise BudgetError(f"{bf.where('lines', i, 'prices', key)}: {msg}") from None
            bf.explicit[i] = ExplicitPrices(line.prices)


def _amount(bf: BudgetFile, written, loc: tuple) -> Decimal:
    try:
        return parse_amount(written, field=loc[-1])
    except CalcError as exc:
        raise BudgetError(f"{bf.where(*loc)}: {str(exc).split(': ', 1)[-1]}") from None
