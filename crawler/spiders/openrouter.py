"""Spider for the openrouter source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class OpenrouterSpider(PriceSpider):
    name = "openrouter"
