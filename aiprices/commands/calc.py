"""``aiprices calc KIND ...``: one-off answers from written prices or the warehouse on a date."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import click

from aiprices.calculators.errors import CalcError
from aiprices.calculators.money import fmt_usd, parse_amount
from aiprices.cli_support import db_option, open_warehouse


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
        help="a written price, e.g. -p input='$3 per 1M tokens' (names: input, output, cache_read, "
        "training, image, gpu_hour; prefix batch_, suffix _above_200k)",
    )(func)
    func = click.option(
        "--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="price date (default today, UTC)"
    )(func)
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


def emit(as_json: bool, data: dict, lines: list[tuple[str, object]]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    width = max(len(k) for k, _ in lines)
    for key, val in lines:
        shown = fmt_usd(val) if isinstance(val, Decimal) else val
        click.echo(f"{key:<{width}}  {shown}")


def _s(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable output")


@click.group()
def calc() -> None:
    """One-off cost calculators (token, inference, finetune, image, breakeven, compare)."""


def _workload(func):
    func = click.option("--input-tokens", type=int, required=True, help="input (prompt) tokens per call")(
        func
    )
    func = click.option(
        "--output-tokens", type=int, default=0, show_default=True, help="output tokens per call"
    )(func)
    func = click.option("--calls-per-day", type=NUMBER, default=Decimal(1), show_default=True)(func)
    func = click.option("--days-per-month", type=NUMBER, default=Decimal(30), show_default=True)(func)
    func = click.option(
        "--cached-share", type=NUMBER, default=Decimal(0), help="share of input that hits cache"
    )(func)
    return click.option(
        "--batch-share", type=NUMBER, default=Decimal(0), help="share of calls via batch API"
    )(func)


@calc.command("token")
@price_options
@_workload
@json_option
def token_cmd(db, source, vendor, model, on, prices, as_json, **w) -> None:
    """Token cost per call, day, month and year (long-context tiers: the whole request pays the tier)."""
    from aiprices.calculators.tokens import token_cost

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    r = token_cost(
        look,
        model,
        w["input_tokens"],
        w["output_tokens"],
        calls_per_day=w["calls_per_day"],
        days_per_month=w["days_per_month"],
        cached_share=w["cached_share"],
        batch_share=w["batch_share"],
    )
    data = {
        "per_call": format(r.per_call.normalize(), "f"),
        "per_day": _s(r.per_day),
        "per_month": _s(r.per_month),
        "per_year": _s(r.per_year),
        "inferred": r.inferred,
    }
    emit(
        as_json,
        data,
        [
            ("per call", f"${r.per_call.normalize():f}"),
            ("per day", r.per_day),
            ("per month", r.per_month),
            ("per year", r.per_year),
        ],
    )


@calc.command("inference")
@price_options
@_workload
@click.option("--growth", type=NUMBER, default=Decimal(0), help="month-over-month growth, 0.05 = 5%")
@click.option("--horizon", type=int, default=12, show_default=True, help="months to project")
@json_option
def inference_cmd(db, source, vendor, model, on, prices, as_json, growth, horizon, **w) -> None:
    """Inference budget: monthly run-rate, first year and horizon total with growth."""
    from aiprices.calculators.tokens import inference_budget

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    r = inference_budget(look, model, monthly_growth=growth, horizon_months=horizon, **w)
    data = {
        "monthly": _s(r.monthly),
        "first_year": _s(r.first_year),
        "horizon_total": _s(r.horizon_total),
        "months": [_s(m) for m in r.months],
        "inferred": r.inferred,
    }
    emit(
        as_json,
        data,
        [("monthly", r.monthly), ("first year", r.first_year), (f"{horizon}-month total", r.horizon_total)],
    )


@calc.command("finetune")
@price_options
@click.option("--examples", type=int)
@click.option("--tokens-per-example", type=int)
@click.option("--epochs", type=int, default=1, show_default=True)
@click.option("--gpu-hours", type=NUMBER, help="self-hosted: GPU-hours x -p gpu_hour='$2.50 per hour'")
@click.option(
    "--buffer", "iteration_buffer", type=NUMBER, default=Decimal(0), help="iteration/retry buffer, 0.2"
)
@click.option("--retrains-per-year", type=NUMBER, default=Decimal(0))
@json_option
def finetune_cmd(db, source, vendor, model, on, prices, as_json, **w) -> None:
    """Fine-tune budget: examples x tokens x epochs x training price (+ buffer, re-trainings)."""
    from aiprices.calculators.finetune import finetune_budget

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    r = finetune_budget(look, model, **w)
    data = {
        "training_tokens": str(r.training_tokens),
        "one_time": _s(r.one_time),
        "monthly": _s(r.monthly),
        "first_year": _s(r.first_year),
    }
    emit(
        as_json,
        data,
        [
            ("training tokens", f"{r.training_tokens:,}"),
            ("one-time", r.one_time),
            ("monthly (re-training)", r.monthly),
            ("first year", r.first_year),
        ],
    )


@calc.command("image")
@price_options
@click.option("--images", type=int, default=0, help="one-time image count")
@click.option("--images-per-month", type=int, default=0)
@click.option("--size", help="e.g. 1024x1024")
@click.option("--quality", help="e.g. standard, hd")
@json_option
def image_cmd(db, source, vendor, model, on, prices, as_json, **w) -> None:
    """Image cost: images x price per image by size and quality."""
    from aiprices.calculators.images import image_cost

    look, model, _con = make_lookup(model, prices, db, on, source, vendor)
    one, monthly, year = image_cost(look, model, **w)
    data = {"one_time": _s(one), "monthly": _s(monthly), "first_year": _s(year)}
    emit(as_json, data, [("one-time", one), ("monthly", monthly), ("first year", year)])


@calc.command("breakeven")
@click.option("--training-cost", type=MONEY, required=True, help="e.g. '$4,000'")
@click.option("--monthly-savings", type=MONEY, help="e.g. '$650'")
@click.option("--frontier-monthly", type=MONEY, help="monthly cost on the frontier model")
@click.option("--finetuned-monthly", type=MONEY, help="monthly cost on the fine-tuned model")
@click.option(
    "--retrain-months", type=int, default=12, show_default=True, help="model lifetime before retraining"
)
@json_option
def breakeven_cmd(
    training_cost, monthly_savings, frontier_monthly, finetuned_monthly, retrain_months, as_json
):
    """Payback of a fine-tune in months, and whether it amortizes before retraining."""
    from aiprices.calculators.breakeven import break_even

    r = break_even(
        training_cost,
        monthly_savings=monthly_savings,
        frontier_monthly=frontier_monthly,
        finetuned_monthly=finetuned_monthly,
        retrain_months=retrain_months,
    )
    data = {
        "training_cost": _s(r.training_cost),
        "monthly_savings": _s(r.monthly_savings),
        "payback_months": None if r.payback_months is None else str(r.payback_months),
        "retrain_months": r.retrain_months,
        "pays_back": r.pays_back,
        "verdict": r.verdict,
    }
    emit(
        as_json,
        data,
        [
            ("training cost", r.training_cost),
            ("monthly savings", r.monthly_savings),
            ("payback (months)", str(r.payback_months) if r.payback_months is not None else "never"),
            ("verdict", r.verdict),
        ],
    )


@calc.command("compare")
@db_option
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="price date (default today, UTC)")
@click.option("--input-tokens", type=int, required=True)
@click.option("--output-tokens", type=int, default=0)
@click.option("--calls-per-day", type=NUMBER, default=Decimal(1))
@click.option("--days-per-month", type=NUMBER, default=Decimal(30))
@click.option("--vendor", help="only this vendor")
@click.option("--limit", type=int, default=20, show_default=True)
@json_option
def compare_cmd(db, on, input_tokens, output_tokens, calls_per_day, days_per_month, vendor, limit, as_json):
    """Price one workload on every model with input and output prices on the date, cheapest first."""
    from aiprices.calculators.compare import compare
    from aiprices.calculators.offers import offers_on

    if input_tokens < 0 or output_tokens < 0:
        raise CalcError("token counts cannot be negative")
    con = open_db(db)
    ranked = compare(
        offers_on(con, day(on), vendor),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        calls_per_day=calls_per_day,
        days_per_month=days_per_month,
        limit=limit,
    )
    if not ranked:
        raise CalcError(f"no model has input and output prices on {day(on)}")
    rows = [
        {
            "rank": r.rank,
            "vendor": r.offer.vendor,
            "model": r.offer.model,
            "source": r.offer.source,
            "per_call": format(r.per_call.normalize(), "f"),
            "monthly": _s(r.monthly),
        }
        for r in ranked
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['rank']:>3}  {row['vendor']:<14} {row['model']:<40} {fmt_usd(Decimal(row['monthly']))}/mo"
        )
