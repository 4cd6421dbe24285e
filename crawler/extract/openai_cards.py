"""OpenAI's openai.com/api/pricing marketing page (a markdown render of price cards, no tables).

The page is a column of cards, read line by line:

* model cards: ``## GPT-5 mini`` then ``### Price`` (or ``### Fine-tuning price``) then "Input:" /
  "$0.250 / 1M tokens" label-value pairs (Input, Cached input, Output, Training);
* "Our APIs" lists (``## Realtime API``, ``## Image Generation API``): a ``### Text|Audio|Image`` block,
  then a model line and "$4.00 / 1M input tokens" lines; the render shows every card twice (phone and
  desktop), so repeats of the same price are dropped;
* ``## Sora Video API``: model line, "Portrait: 720 x 1280", "Landscape: ...", "$0.10" per second;
* ``## Built-in tools``: a name line then its price line ("$2.50 / 1k tool calls").

Reading stops at the "Pricing calculator" widget. Every line with a dollar amount is a row of the audit
(one that gives no price stays listed as unpriced), and an unknown card label with an amount is reported in
``unmapped_columns``: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from aiprices.crawler.extract.emitter import Emitter
from aiprices.crawler.extract.openai_tables import VENDOR, model_id, read_tool
from aiprices.crawler.parsers.markdown import clean_cell
from aiprices.crawler.parsers.price_text import is_blank, money_amounts
from aiprices.crawler.vocabulary import meaning, with_medium

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_CARD_SUBSECTIONS = ("price", "fine-tuning price", "reinforcement fine-tuning price")
_API_LINE = re.compile(r"^\$(\d+(?:\.\d+)?) / 1M (cached input|input|output) tokens\*?$", re.I)
_MEDIA = ("text", "audio", "image")
_SIZE = re.compile(r"(\d+)\s*x\s*(\d+)")
_TOOL_HEADERS = {"tool", "cost", "tool version"}


def looks_like_cards(text: str) -> bool:
    """True for the card page: ``### Price`` blocks and no pipe tables."""
    has_cards = re.search(r"^###\s+(?:fine-tuning\s+)?price\s*$", text, re.I | re.M)
    return bool(has_cards) and not re.search(r"^\s*\|.*\|\s*$", text, re.M)


def _lines(text: str) -> list[str]:
    """Non-blank, cleaned lines; a line ending in two spaces (a markdown line break) joins the next one."""
    out: list[str] = []
    carry = ""
    for raw in text.splitlines():
        if not raw.strip():
            if carry:
                out.append(carry)
                carry = ""
            continue
        part = clean_cell(raw) if not raw.lstrip().startswith("#") else raw.strip()
        carry = f"{carry} {part}".strip() if carry else part
        if not raw.endswith("  "):
            out.append(carry)
            carry = ""
    if carry:
        out.append(carry)
    return out


@dataclass
class _Reader:
    em: Emitter
    section: str = ""  # the ``##`` title: a model card's name or an API's name
    sub: str = ""  # the ``###`` title
    label: str = ""  # a card label ("Cached input") waiting for its value line
    model: str = ""  # the model line in API and video lists
    size: str = ""  # the video resolution ("720p") from its "Portrait:" line

    def heading(self, level: int, title: str) -> None:
        if level <= 2:
            self.section, self.sub = title, ""
        else:
            self.sub = title
        self.label = self.model = self.size = ""

    def line(self, text: str) -> None:
        section, sub = self.section.lower(), self.sub.lower()
        if section != "built-in tools":  # a tool's price line is audited by ``read_tool``
            self.em.row(f"{self.section} / {self.sub}: {text[:60]}", text)
        if sub in _CARD_SUBSECTIONS:
            self._card(text)
        elif section in ("realtime api", "image generation api") and sub in _MEDIA:
            self._api(text)
        elif section.startswith("sora"):
            self._video(text)
        elif section == "built-in tools":
            self._tool(text)

    def _card(self, text: str) -> None:
        label, sep, value = text.partition(":")
        if not sep or len(label) > 40:
            label, value = self.label, text  # a value on its own line, after a bare "Label:" line
        self.label = label.strip().lower() if sep and not value.strip() else ""
        value = value.strip()
        if not label or not value or is_blank(value):
            return
        label, amounts, v = label.strip().lower(), money_amounts(value), value.lower()
        unit = "per_1m_tokens" if "/ 1m tokens" in v else "per_hour" if "hour" in v else None
        found = meaning(label, VENDOR)
        if found is None or unit is None or len(amounts) != 1:
            if amounts:
                self.em.out.unmapped_columns.append(f"{self.section}: {label}: {value[:40]}")
            return
        variant = "fine-tuned" if "fine-tuning" in self.sub.lower() else ""
        model = model_id(self.section.lower().replace(" ", "-"))
        self.em.add(self.section, found.key, unit, amounts[0], label.capitalize(), model=model, variant=variant)

    def _api(self, text: str) -> None:
        m = _API_LINE.match(text)
        if m and self.model:
            key = with_medium(meaning(m.group(2), VENDOR).key, self.sub)
            field = f"{self.sub} {m.group(2)}"
            self.em.add(
                self.model, key, "per_1m_tokens", Decimal(m.group(1)), field, model=model_id(self.model.lower())
            )
        elif m or money_amounts(text):
            return
        elif not is_blank(text) and text.lower() != self.sub.lower() and " " not in text:
            self.model = text

    def _video(self, text: str) -> None:
        t = text.lower()
        if t.startswith("portrait:"):
            m = _SIZE.search(text)
            self.size = f"{min(int(m.group(1)), int(m.group(2)))}p" if m else ""
        elif t.startswith("landscape:") or t in ("models", "size", "price per second"):
            return
        elif money_amounts(text):
            amounts = money_amounts(text)
            if self.model and self.size and len(amounts) == 1:
                self.em.add(
                    self.model,
                    "output_video",
                    "per_second",
                    amounts[0],
                    "Price per second",
                    model=model_id(self.model),
                    variant=self.size,
                )
        elif " " not in text:
            self.model, self.size = text, ""

    def _tool(self, text: str) -> None:
        if money_amounts(text):
            if self.model:
                read_tool(self.model, "", text, self.em, self.section)
            return
        if text.lower() not in _TOOL_HEADERS and not text.startswith("*") and len(text) < 80:
            self.model = text


def read_cards(text: str, em: Emitter) -> None:
    """Every card price on the page into ``em`` (see the module docstring for the layout)."""
    reader = _Reader(em)
    for line in _lines(text):
        if line.lower() == "pricing calculator":
            break
        h = _HEADING.match(line)
        if h:
            reader.heading(len(h.group(1)), h.group(2))
        else:
            reader.line(line)
