"""Spider for the anthropic source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class AnthropicSpider(PriceSpider):
    name = "anthropic"
