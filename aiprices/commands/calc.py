"""``aiprices calc KIND ...``: one-off answers from written prices or the warehouse on a date."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import click

from aiprices.calculators.errors import CalcError
from aiprices.calculators.money import cents_text, fmt_count, fmt_usd, parse_amount, plain
from aiprices.cli_support import db_option, open_warehouse
from aiprices.commands.calc_report import counted_total, exact_usd, part_rows, parts_json, show
from aiprices.warehouse.catalogue import MODES


class DecimalType(click.ParamType):
    """Numbers read exactly as Decimal (never float)."""

    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value).replace(",", "").replace("_", ""))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)


class MoneyType(click.ParamType):
    name = "amount"

    def convert(self, value, param, ctx):
        try:
            return parse_amount(value, field=param.name if param else "amount")
        except CalcError as exc:
            self.fail(str(exc), param, ctx)


NUMBER = DecimalType()
MONEY = MoneyType()


def price_options(func):
    func = click.option(
        "-p",
        "--price",
        "prices",
        multiple=True,
        metavar="NAME=PRICE",
        help="a written price, e.g. -p input='$3 per 1M tokens' (names: input, output, cache_read, request, "
        "training, training_input, training_output, image, gpu_hour; prefix batch_/flex_/priority_, "
        "suffix _above_200k)",
    )(func)
    func = click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="price date (default today, UTC)")(func)
    func = click.option("--model", help="model name or source key, priced from the warehouse")(func)
    func = click.option("--vendor", help="only this vendor's rows (e.g. azure)")(func)
    func = click.option("--source", help="only this source (default: litellm first)")(func)
    return db_option(func)


def open_db(db: str | None):
    """Read-only warehouse connection; opened only when a model is priced from the warehouse."""
    if not db:
        raise CalcError("pricing a model needs a warehouse: pass --db or set AIPRICES_DB")
    return open_warehouse(db)


def day(value) -> date:
    return value.date() if value is not None else date.today()


def make_lookup(model, prices, db, on, source=None, vendor=None):
    """(lookup, model, closer) for written prices or a warehouse model."""
    from aiprices.calculators.lookup import ExplicitPrices

    if model and prices:
        raise CalcError("give --model or --price, not both")
    if prices:
        written = {}
        for item in prices:
            name, sep, text = item.partition("=")
            if not sep:
                raise CalcError(f"--price {item!r}: write NAME=PRICE, e.g. input='$3 per 1M tokens'")
            written[name.strip()] = text.strip()
        return ExplicitPrices(written, where="--price"), None, None
    if not model:
        raise CalcError("give --model (with --db) or at least one --price")
    from aiprices.calculators.warehouse_prices import WarehousePrices

    con = open_db(db)
    look = WarehousePrices.on(con, day(on), source=source, vendor=vendor)
    look.check_model(model)
    return look, model, con


json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable output")
TIER_CHOICE = click.Choice(["standard", "batch", "flex", "priority"])


@click.group()
def calc() -> None:
    """One-off cost calculators (token, inference, finetune, image, breakeven, compare)."""


def _options(func, *options):
    """Apply click options so that ``--help`` lists them in the order given."""
    for option in reversed(options):
        func = option(func)
    return func


def _workload(required: bool):
    """The token workload options; in ``finetune`` they are optional (the fine-tuned model's inference)."""

    def add(func):
        return _options(
            func,
            click.option("--input-tokens", type=int, required=required, help="input (prompt) tokens per call"),
            click.option("--output-tokens", type=int, default=0, show_default=True, help="output tokens per call"),
            click.option("--calls-per-day", type=NUMBER, help="calls a day [default: 1]"),
            click.option("--calls-per-month", type=NUMBER, help="calls a month (instead of --calls-per-day)"),
            click.option("--days-per-month", type=NUMBER, default=Decimal(30), show_default=True),
            click.option("--cached-share", type=NUMBER, default=Decimal(0), help="share of input that hits cache"),
            click.option("--batch-share", type=NUMBER, default=Decimal(0), help="share of calls via batch API"),
            click.option(
                "--off-peak-share",
                type=NUMBER,
                default=Decimal(0),
                help="share of tokens in the vendor's off-peak hours (its time-of-day price, else all-day)",
            ),
            click.option("--tier", type=TIER_CHOICE, default="standard", show_default=True, help="service tier"),
        )

    return add


def _token_workload(w: dict):
    from aiprices.calculators.tokens import TokenWorkload

    return TokenWorkload(
        w["input_tokens"] or 0,
        w["output_tokens"],
        calls_per_day=w["calls_per_day"],
        calls_per_month=w["calls_per_month"],
        days_per_month=w["days_per_month"],
        cached_share=w["cached_share"],
        batch_share=w["batch_share"],
        off_peak_share=w["off_peak_share"],
        tier=w["tier"],
    )


def _workload_kwargs(w: dict) -> dict:
    load = _token_workload(w)
    return {name: getattr(load, name) for name in load.__dataclass_fields__}


@calc.command("token")
@price_options
@_workload(required=True)
@json_option
def token_cmd(db, source, vendor, model, on, prices, as_json, **w) -> None:
    """Token cost per call, day, month and year (long-context tiers: the whole request pays the tier)."""
    from aiprices.calculators.tokens import token_cost

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    r = token_cost(look, model, **_workload_kwargs(w))
    data = {
        "tier": w["tier"],
        "calls_per_month": plain(r.calls_per_month),
        "per_call": plain(r.per_call),
        "per_day": cents_text(r.per_day),
        "per_month": cents_text(r.per_month),
        "per_year": cents_text(r.per_year),
        "parts": parts_json(r.parts, monthly=True),
        "inferred": r.inferred,
    }
    rows = [
        ("per call", "", exact_usd(r.per_call)),
        ("per day", "", fmt_usd(r.per_day)),
        ("per month", fmt_count(r.calls_per_month) + " calls", fmt_usd(r.per_month)),
        *part_rows(r.parts, monthly=True),
        ("per year", "", fmt_usd(r.per_year)),
    ]
    show(as_json, data, rows)


@calc.command("inference")
@price_options
@_workload(required=True)
@click.option("--growth", type=NUMBER, default=Decimal(0), help="month-over-month growth, 0.05 = 5%")
@click.option("--horizon", type=int, default=12, show_default=True, help="months to project (1-1200)")
@json_option
def inference_cmd(db, source, vendor, model, on, prices, as_json, growth, horizon, **w) -> None:
    """Inference budget: monthly run-rate (with its tokens and cost per price), first year, horizon total."""
    from aiprices.calculators.tokens import inference_budget

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    r = inference_budget(look, model, monthly_growth=growth, horizon_months=horizon, **_workload_kwargs(w))
    data = {
        "tier": w["tier"],
        "calls_per_month": plain(r.calls_per_month),
        "monthly": cents_text(r.monthly),
        "parts": parts_json(r.parts, monthly=True),
        "first_year": cents_text(r.first_year),
        "horizon_total": cents_text(r.horizon_total),
        "months": [cents_text(m) for m in r.months],
        "inferred": r.inferred,
    }
    rows = [
        ("monthly", fmt_count(r.calls_per_month) + " calls", fmt_usd(r.monthly)),
        *part_rows(r.parts, monthly=True),
        ("first year", "", fmt_usd(r.first_year)),
        (f"{horizon}-month total", "", fmt_usd(r.horizon_total)),
    ]
    show(as_json, data, rows)


@calc.command("finetune")
@price_options
@click.option("--examples", type=int)
@click.option("--tokens-per-example", type=int, help="tokens per example, all at -p training=...")
@click.option("--input-tokens-per-example", type=int, help="with -p training_input=... (or one training price)")
@click.option("--output-tokens-per-example", type=int, help="with -p training_output=...")
@click.option("--epochs", type=int, default=1, show_default=True)
@click.option("--gpu-hours", type=NUMBER, help="self-hosted: GPU-hours x -p gpu_hour='$2.50 per hour'")
@click.option("--buffer", "iteration_buffer", type=NUMBER, default=Decimal(0), help="iteration/retry buffer, 0.2")
@click.option("--retrains-per-year", type=NUMBER, default=Decimal(0))
@_workload(required=False)
@json_option
def finetune_cmd(db, source, vendor, model, on, prices, as_json, **w) -> None:
    """Fine-tune budget: training tokens x training prices (+ buffer, re-trainings), and with --input-tokens
    or --calls-per-day/--calls-per-month the fine-tuned model's inference (-p input=... -p output=...)."""
    from aiprices.calculators.finetune import finetune_budget

    inference_keys = ("input_tokens", "output_tokens", "calls_per_day", "calls_per_month", "days_per_month",
                      "cached_share", "batch_share", "off_peak_share", "tier")  # fmt: skip
    served = {k: w.pop(k) for k in inference_keys}
    wanted = served["input_tokens"] is not None or served["calls_per_day"] or served["calls_per_month"]
    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    r = finetune_budget(look, model, inference=_token_workload(served) if wanted else None, **w)
    show(as_json, _finetune_json(r, wanted), _finetune_rows(r, wanted))


def _finetune_json(r, with_inference: bool) -> dict:
    data = {
        "training_tokens": plain(r.training_tokens),
        "training": {
            "tokens": plain(r.training_tokens),
            "cost": cents_text(r.one_run),
            "parts": parts_json(r.training, monthly=False),
        },
        "inference": None,
        "one_time": cents_text(r.one_time),
        "monthly": cents_text(r.monthly),
        "first_year": cents_text(r.first_year),
        "inferred": r.inferred,
    }
    if with_inference:
        data["inference"] = {
            "calls_per_month": plain(r.calls_per_month),
            "tokens": plain(counted_total(r.inference, "tokens", monthly=True)),
            "monthly": cents_text(r.inference_monthly),
            "parts": parts_json(r.inference, monthly=True),
        }
    return data


def _finetune_rows(r, with_inference: bool) -> list[tuple[str, ...]]:
    tokens = [("training tokens", fmt_count(r.training_tokens) + " tokens", "")] if r.training_tokens else []
    rows = [
        *tokens,
        *part_rows(r.training, monthly=False),
        ("training (one run)", "", fmt_usd(r.one_run)),
    ]
    if with_inference:
        rows += [
            ("inference a month", fmt_count(r.calls_per_month) + " calls", ""),
            *part_rows(r.inference, monthly=True),
            ("inference (monthly)", "", fmt_usd(r.inference_monthly)),
        ]
    return rows + [
        ("one-time", "", fmt_usd(r.one_time)),
        ("monthly", "", fmt_usd(r.monthly)),
        ("first year", "", fmt_usd(r.first_year)),
    ]


@calc.command("image")
@price_options
@click.option("--images", type=int, default=0, help="one-time image count")
@click.option("--images-per-month", type=int, default=0)
@click.option("--size", help="e.g. 1024x1024")
@click.option("--quality", help="e.g. standard, hd, low, medium, high")
@click.option("--steps", type=int, help="diffusion steps, where a price depends on them")
@json_option
def image_cmd(db, source, vendor, model, on, prices, as_json, **w) -> None:
    """Image cost: images x price per image by size and quality."""
    from aiprices.calculators.images import image_cost

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    one, monthly, year = image_cost(look, model, **w)
    data = {"one_time": cents_text(one), "monthly": cents_text(monthly), "first_year": cents_text(year)}
    show(
        as_json,
        data,
        [("one-time", "", fmt_usd(one)), ("monthly", "", fmt_usd(monthly)), ("first year", "", fmt_usd(year))],
    )


def _side(name: str, help_model: str):
    """``--frontier MODEL`` | ``--frontier-price NAME=PRICE`` | ``--frontier-per-query AMOUNT``."""

    def add(func):
        return _options(
            func,
            click.option(f"--{name}", f"{name}_model", help=f"{help_model} model, priced from the warehouse"),
            click.option(
                f"--{name}-price", f"{name}_prices", multiple=True, metavar="NAME=PRICE", help="its written prices"
            ),
            click.option(f"--{name}-per-query", type=MONEY, help="or its cost per query, e.g. '$0.006'"),
        )

    return add


@calc.command("breakeven")
@click.option("--training-cost", type=MONEY, required=True, help="e.g. '$4,000'")
@click.option("--monthly-savings", type=MONEY, help="e.g. '$650'")
@click.option("--frontier-monthly", type=MONEY, help="monthly cost on the frontier model")
@click.option("--finetuned-monthly", type=MONEY, help="monthly cost on the fine-tuned model")
@_side("frontier", "the frontier")
@_side("finetuned", "the fine-tuned")
@click.option("--queries-per-day", type=NUMBER, help="query volume (with two models)")
@click.option("--queries-per-month", type=NUMBER, help="query volume a month (instead of a day)")
@click.option("--days-per-month", type=NUMBER, default=Decimal(30), show_default=True)
@click.option("--input-tokens", type=int, default=0, help="input tokens per query (with model prices)")
@click.option("--output-tokens", type=int, default=0, help="output tokens per query (with model prices)")
@click.option(
    "--share",
    type=NUMBER,
    default=Decimal(1),
    show_default=True,
    help="share of queries routed to the fine-tuned model, 0.8 = 80/20",
)
@click.option("--retrain-months", type=int, default=12, show_default=True, help="model lifetime before retraining")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="price date for models (default today, UTC)")
@db_option
@json_option
def breakeven_cmd(
    training_cost, monthly_savings, frontier_monthly, finetuned_monthly, retrain_months, as_json, **volume
):
    """Payback of a fine-tune in months (rounded up, exact figure beside it), and whether it amortizes
    before retraining; savings given, or (frontier - fine-tuned) per query x the queries routed to it."""
    from aiprices.calculators.breakeven import break_even

    compared = _two_models(volume) if _names_two_models(volume) else None
    if compared is not None:
        frontier_monthly, finetuned_monthly = compared.before, compared.after
    r = break_even(
        training_cost,
        monthly_savings=monthly_savings,
        frontier_monthly=frontier_monthly,
        finetuned_monthly=finetuned_monthly,
        retrain_months=retrain_months,
    )
    show(as_json, _breakeven_json(r, compared), _breakeven_rows(r, compared))


def _names_two_models(v: dict) -> bool:
    sides = ("model", "prices", "per_query")
    return any(v[f"{side}_{k}"] for side in ("frontier", "finetuned") for k in sides)


def _two_models(v: dict):
    """Savings from a query volume priced on both models (seed 002: (frontier - fine-tuned) x queries)."""
    from aiprices.calculators.breakeven import savings
    from aiprices.calculators.plan import check_counts

    if (v["queries_per_day"] is None) == (v["queries_per_month"] is None):
        raise CalcError("with two models give --queries-per-day or --queries-per-month (one of them)")
    check_counts(queries_per_day=v["queries_per_day"], queries_per_month=v["queries_per_month"],
                 days_per_month=v["days_per_month"])  # fmt: skip
    queries = v["queries_per_month"]
    if queries is None:
        queries = v["queries_per_day"] * v["days_per_month"]
    frontier = _per_query("frontier", v)
    finetuned = _per_query("finetuned", v)
    return savings(frontier, finetuned, queries, v["share"])


def _per_query(side: str, v: dict) -> Decimal:
    from aiprices.calculators.tokens import token_cost

    model, prices, per_query = v[f"{side}_model"], v[f"{side}_prices"], v[f"{side}_per_query"]
    if sum(1 for given in (model, prices, per_query is not None) if given) != 1:
        raise CalcError(f"give one of --{side}, --{side}-price or --{side}-per-query")
    if per_query is not None:
        return per_query
    if not (v["input_tokens"] or v["output_tokens"]):
        raise CalcError(f"pricing --{side} per query needs --input-tokens and/or --output-tokens")
    look, model, _con = make_lookup(model, prices, v["db"], v["on"])
    return token_cost(look, model, v["input_tokens"], v["output_tokens"]).per_call


def _breakeven_json(r, compared) -> dict:
    data = {
        "training_cost": cents_text(r.training_cost),
        "monthly_savings": cents_text(r.monthly_savings),
        "payback_months": None if r.payback_months is None else plain(r.payback_months),
        "payback_whole_months": r.payback_whole_months,
        "retrain_months": r.retrain_months,
        "net_over_lifetime": cents_text(r.net_over_lifetime),
        "pays_back": r.pays_back,
        "verdict": r.verdict,
    }
    if compared is not None:
        data.update(
            queries_per_month=plain(compared.queries_per_month),
            share=plain(compared.share),
            frontier_per_query=plain(compared.frontier_per_query),
            finetuned_per_query=plain(compared.finetuned_per_query),
            monthly_before=cents_text(compared.before),
            monthly_after=cents_text(compared.after),
        )
    return data


def _breakeven_rows(r, compared) -> list[tuple[str, ...]]:
    rows = [("training cost", "", fmt_usd(r.training_cost))]
    if compared is not None:
        rows += [
            ("queries a month", fmt_count(compared.queries_per_month), ""),
            ("routed", f"{plain(compared.share * 100)}% of them to the fine-tuned model"),
            ("frontier per query", "", exact_usd(compared.frontier_per_query)),
            ("fine-tuned per query", "", exact_usd(compared.finetuned_per_query)),
            ("monthly before", "", fmt_usd(compared.before)),
            ("monthly after", "", fmt_usd(compared.after)),
        ]
    rows += [
        ("monthly savings", "", fmt_usd(r.monthly_savings)),
        (f"net over {r.retrain_months} months", "", fmt_usd(r.net_over_lifetime)),
    ]
    return [*rows, ("verdict", r.verdict)]


@calc.command("compare")
@db_option
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="price date (default today, UTC)")
@click.option("--input-tokens", type=int, required=True)
@click.option("--output-tokens", type=int, default=0)
@click.option("--calls-per-day", type=NUMBER, default=Decimal(1))
@click.option("--days-per-month", type=NUMBER, default=Decimal(30))
@click.option("--vendor", help="only this vendor")
@click.option(
    "--mode", type=click.Choice(MODES), default="chat", show_default=True, help="only models of this mode (catalogue)"
)
@click.option("--limit", type=int, default=20, show_default=True)
@json_option
def compare_cmd(db, on, input_tokens, output_tokens, calls_per_day, days_per_month, vendor, mode, limit, as_json):
    """Price one workload on every model of one mode with input and output prices on the date, cheapest first."""
    from aiprices.calculators.compare import compare
    from aiprices.calculators.offers import offers_on
    from aiprices.calculators.plan import check_counts

    check_counts(input_tokens=input_tokens, output_tokens=output_tokens, calls_per_day=calls_per_day,
                 days_per_month=days_per_month)  # fmt: skip
    con = open_db(db)
    ranked = compare(
        offers_on(con, day(on), vendor, mode),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        calls_per_day=calls_per_day,
        days_per_month=days_per_month,
        limit=limit,
    )
    if not ranked:
        raise CalcError(f"no {mode} model has input and output prices on {day(on)}")
    rows = [
        {
            "rank": r.rank,
            "vendor": r.offer.vendor,
            "model": r.offer.model,
            "source": r.offer.source,
            "per_call": plain(r.per_call),
            "monthly": cents_text(r.monthly),
        }
        for r in ranked
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'rank':>4}  {'vendor':<14} {'model':<40} {'source':<10} {'per call':>12} {'monthly':>12}")
    for row in rows:
        click.echo(
            f"{row['rank']:>4}  {row['vendor']:<14} {row['model']:<40} {row['source']:<10} "
            f"{exact_usd(Decimal(row['per_call'])):>12} {fmt_usd(Decimal(row['monthly'])) + '/mo':>12}"
        )
