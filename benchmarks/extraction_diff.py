"""What every capture yields, to compare extractor versions: dump the identity + price set per capture, or diff
two dumps.

    python benchmarks/extraction_diff.py dump OUT_DIR [--pages ../shared/vendor-pages]
    python benchmarks/extraction_diff.py diff BEFORE_DIR AFTER_DIR

A dump holds one sorted TSV per capture (vendor, page model name, model id, price key, unit, currency, tier,
context, region, variant, price). Token prices are scaled to per 1M tokens and every price is normalised, so
a unit published per 1K or a "$5.00" read as "5" is no difference. ``diff`` prints, per capture, how many
identities were removed and added, and the first ones of each.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from decimal import Decimal
from pathlib import Path

from aiprices.crawler.parsers.challenge import challenge_marker
from aiprices.schedules.captures import list_captures

HERE = Path(__file__).resolve().parent
TOKEN_SCALE = {"per_1m_tokens": 1, "usd_per_1m_tokens": 1, "per_1k_tokens": 1000, "per_token": 1_000_000}
IDENTITY = ("vendor", "source_model_key", "model", "price_key", "unit", "currency", "service_tier",
            "context_min_tokens", "region", "variant")  # fmt: skip


def line(item: dict) -> str:
    unit, price = item["unit"], Decimal(item["price"])
    if unit in TOKEN_SCALE:
        unit, price = "per_1m_tokens", price * TOKEN_SCALE[unit]
    values = {**item, "unit": unit, "model": item.get("model") or ""}
    return "\t".join(str(values[k]) for k in IDENTITY) + "\t" + format(price.normalize(), "f")


def dump(pages: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for cap in list_captures(pages):
        body = cap.path.read_bytes()
        items, note = [], ""
        if challenge_marker(body):
            note = "blocked"
        else:
            module = importlib.import_module(f"aiprices.crawler.extract.{cap.source}")
            try:
                items = module.extract(body, f"https://example.test/{cap.path.name}", cap.kind).items
            except Exception as exc:  # a capture the extractor refuses: recorded as empty, with the reason
                note = f"{type(exc).__name__}: {exc}"
        lines = sorted({line(it) for it in items})
        (out / f"{cap.source}__{cap.path.name}.tsv").write_text("".join(f"{x}\n" for x in lines))
        print(f"{cap.source}/{cap.path.name}: {len(lines)} identities {note}".rstrip())


def diff(before: Path, after: Path) -> int:
    changed = 0
    for path in sorted(before.glob("*.tsv")):
        old = set(path.read_text().splitlines())
        new_path = after / path.name
        new = set(new_path.read_text().splitlines()) if new_path.exists() else set()
        removed, added = sorted(old - new), sorted(new - old)
        if removed or added:
            changed += 1
            print(f"{path.stem.replace('__', '/')}: -{len(removed)} +{len(added)}")
            for x in removed[:3]:
                print(f"  - {x}")
            for x in added[:3]:
                print(f"  + {x}")
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--pages", type=Path, default=HERE.parent.parent / "shared" / "vendor-pages")
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.cmd == "dump":
        dump(args.pages, args.out)
        return 0
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
