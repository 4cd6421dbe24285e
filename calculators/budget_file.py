"""Budget files: YAML read exactly and boundedly (``budget_yaml``), validated by pydantic, errors with lines.

When pydantic or a price string rejects something, the error's location (``lines.1.calls_per_day``) is
walked through the YAML nodes to the line in the file, so every message reads
``budget.yaml:12: lines[1].calls_per_day: ...``. A folder of budgets loads file by file: the good ones are
returned with one error per bad file (``load_budgets``), so one broken file never hides the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, ValidationError, model_validator

from . import budget_yaml
from .errors import BudgetError, CalcError
from .lookup import TOKENS, ExplicitPrices, PriceLookup
from .money import parse_amount
from .plan import MAX_COUNT, TIERS
from .tco import category_of

_ISO_DAY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*$")
KINDS = ("token", "inference", "finetune", "image", "fixed")


def _count(value: object) -> object:
    """A count is a number: ``true`` is not 1 (pydantic's lax mode would read it so)."""
    if isinstance(value, bool):
        raise ValueError(f"not a number ({value!r})")
    return value


def _day(value: object) -> object:
    """A date is written as one: a number (or text of one) is not read as seconds since 1970, as pydantic's lax
    mode would read it."""
    if isinstance(value, bool | int | float | Decimal) or (isinstance(value, str) and not _ISO_DAY.match(value)):
        raise ValueError(f"not a valid date ({value}); write YYYY-MM-DD")
    return value


NonNegInt = Annotated[int, BeforeValidator(_count), Field(ge=0, le=MAX_COUNT)]
Day = Annotated[date, BeforeValidator(_day)]
NonNeg = Annotated[Decimal, Field(ge=0, le=MAX_COUNT)]
Share = Annotated[Decimal, Field(ge=0, le=1)]


def _written(value: object) -> str | int | Decimal:
    """A price or amount as written (text or a number); read later by ``money`` with its own errors."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"expected a price or amount like '$8 per 1M tokens' or '$12,000', got {value!r}")
    return value


Written = Annotated[str | int | Decimal, PlainValidator(_written)]
Tier = Literal[TIERS]  # type: ignore[valid-type]
# May a line be priced from another offer than the one that priced it on priced_on? (README "Budgets")
FALLBACKS = ("none", "any-key", "any-source")
Fallback = Literal[FALLBACKS]  # type: ignore[valid-type]


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)

    name: str
    model: str | None = None
    vendor: str | None = None
    fallback: Fallback | None = None  # None: the budget's
    source: str | None = None
    prices: dict[str, Written] | None = None
    category: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _priced_one_way(self):
        if getattr(self, "routes", None):
            if self.model or self.prices:
                raise ValueError("a routed line gives model or prices in each route, not on the line")
            return self
        if self.model and self.prices:
            raise ValueError("give either model (looked up in the warehouse) or prices, not both")
        if not self.model and not self.prices:
            raise ValueError("needs a model (looked up in the warehouse) or explicit prices")
        return self


class Route(BaseModel):
    """One model's share of a line's calls (seed 002: a fine-tuned model serves 80%, the frontier 20%)."""

    model_config = ConfigDict(extra="forbid")

    share: Share
    model: str | None = None
    prices: dict[str, Written] | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _priced_one_way(self):
        if bool(self.model) == bool(self.prices):
            raise ValueError("a route gives either model or prices")
        return self

    def label(self, index: int) -> str:
        return self.name or self.model or f"route {index + 1}"


class TokenLine(_Line):
    kind: Literal["token"]
    input_tokens: NonNegInt
    output_tokens: NonNegInt = 0
    calls_per_day: NonNeg | None = None
    calls_per_month: NonNeg | None = None
    days_per_month: Annotated[Decimal, Field(ge=0, le=31)] = Decimal(30)
    cached_share: Share = Decimal(0)
    batch_share: Share = Decimal(0)
    off_peak_share: Share = Decimal(0)  # share of tokens in the vendor's off-peak hours (time-of-day prices)
    tier: Tier = "standard"
    routes: Annotated[list[Route], Field(min_length=2)] | None = None

    @model_validator(mode="after")
    def _one_call_volume(self):
        if self.calls_per_day is not None and self.calls_per_month is not None:
            raise ValueError("give calls_per_day or calls_per_month, not both")
        return self

    @model_validator(mode="after")
    def _routes_add_up(self):
        if not self.routes:
            return self
        if sum(r.share for r in self.routes) != 1:
            raise ValueError(f"route shares add up to {sum(r.share for r in self.routes)}, not 1")
        if len({bool(r.model) for r in self.routes}) > 1:
            raise ValueError("routes are either all models or all written prices")
        labels = [r.label(i) for i, r in enumerate(self.routes)]
        if len(set(labels)) != len(labels):
            raise ValueError("two routes have the same name; give each a name")
        return self


class InferenceLine(TokenLine):
    kind: Literal["inference"]  # type: ignore[assignment]
    monthly_growth: Annotated[Decimal, Field(ge=-1)] = Decimal(0)


class FinetuneLine(_Line):
    kind: Literal["finetune"]
    examples: NonNegInt | None = None
    tokens_per_example: NonNegInt | None = None
    input_tokens_per_example: NonNegInt | None = None
    output_tokens_per_example: NonNegInt | None = None
    epochs: NonNegInt = 1
    gpu_hours: NonNeg | None = None
    iteration_buffer: NonNeg = Decimal(0)
    retrains_per_year: NonNeg = Decimal(0)

    @model_validator(mode="after")
    def _sized(self):
        split = self.input_tokens_per_example is not None or self.output_tokens_per_example is not None
        if split and self.tokens_per_example is not None:
            raise ValueError("give tokens_per_example or input/output_tokens_per_example, not both")
        if self.gpu_hours is None and (self.examples is None or not (split or self.tokens_per_example is not None)):
            raise ValueError(
                "needs examples and tokens_per_example (or input_tokens_per_example and "
                "output_tokens_per_example), and epochs; or gpu_hours"
            )
        return self


class ImageLine(_Line):
    kind: Literal["image"]
    images: NonNegInt = 0
    images_per_month: NonNegInt = 0
    size: str | None = None
    quality: str | None = None
    steps: NonNegInt | None = None


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
    priced_on: Day
    saved_total: Written | None = None
    description: str | None = None
    fallback: Fallback = "none"
    lines: Annotated[list[Line], Field(min_length=1)]

    def models(self) -> list[str]:
        """Every model the budget prices from the warehouse (lines and routes), in order, once."""
        named = []
        for line in self.lines:
            named.append(getattr(line, "model", None))
            named.extend(route.model for route in getattr(line, "routes", None) or [])
        return list(dict.fromkeys(m for m in named if m))


@dataclass
class BudgetFile:
    """A validated budget, where it came from, and the line of every field (for later errors)."""

    budget: Budget
    path: Path
    marks: dict[tuple, int] = field(default_factory=dict)
    explicit: dict[int, PriceLookup] = field(default_factory=dict)
    saved_total: Decimal | None = None

    def where(self, *loc) -> str:
        """``file:line: lines[1].model`` for error messages."""
        return f"{self.path}:{_line_of(self.marks, loc)}: {_dotted(loc)}"


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
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le'):,} ({err.get('input')})"
    if kind == "finite_number":
        return f"not a finite number ({err.get('input')})"
    if kind.startswith("date"):
        why = err["msg"].partition(", ")[2] or err["msg"]
        return f"not a valid date ({err.get('input')}): {why}; write YYYY-MM-DD"
    if kind in ("decimal_parsing", "int_parsing", "decimal_type", "int_type"):
        return f"not a number ({err.get('input')!r})"
    if kind == "literal_error":
        return f"{err.get('input')!r} is not one of {ctx.get('expected')}"
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
    """Read and validate one budget file; any problem is one BudgetError: ``file:line: field: reason``."""
    path = Path(path)
    return parse_budget(budget_yaml.read_text(path), path)


def parse_budget(text: str, path: Path | str = "<budget>") -> BudgetFile:
    path = Path(path)
    data, node = budget_yaml.load(text, path)
    if not isinstance(data, dict):
        raise BudgetError(f"{path}:1: (top level): a budget is a mapping with name, priced_on and lines")
    marks = budget_yaml.marks(node)
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


def load_budgets(target: Path | str) -> tuple[list[BudgetFile], list[BudgetError]]:
    """Every budget of a file or folder that loads, and one error per file that does not (in file order)."""
    good, bad = [], []
    for path in budget_paths(target):
        try:
            good.append(load_budget(path))
        except BudgetError as exc:
            bad.append(exc)
    return good, bad


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
            bf.explicit[i] = _written(bf, line.prices, ("lines", i, "prices"))
        routes = getattr(line, "routes", None)
        if routes and routes[0].prices:
            bf.explicit[i] = RoutePrices(
                {r.label(j): _written(bf, r.prices, ("lines", i, "routes", j, "prices")) for j, r in enumerate(routes)}
            )


def _written(bf: BudgetFile, prices: dict, loc: tuple) -> ExplicitPrices:
    """Written prices, each error at its own line."""
    for key in prices:
        try:
            ExplicitPrices({key: prices[key]}, where="prices")
        except CalcError as exc:
            raise BudgetError(f"{bf.where(*loc, key)}: {str(exc).split(': ', 1)[-1]}") from None
    return ExplicitPrices(prices)


class RoutePrices:
    """The written prices of a routed line: a component's ``model`` is its route's name."""

    def __init__(self, by_route: dict[str, ExplicitPrices]) -> None:
        self._by_route = by_route

    def price(self, model, price_key, unit=TOKENS, tier="standard", context=0, variant="") -> Decimal | None:
        prices = self._by_route.get(model)
        return None if prices is None else prices.price(model, price_key, unit, tier, context, variant)


def _amount(bf: BudgetFile, written, loc: tuple) -> Decimal:
    try:
        return parse_amount(written, field=loc[-1])
    except CalcError as exc:
        raise BudgetError(f"{bf.where(*loc)}: {str(exc).split(': ', 1)[-1]}") from None
