"""Spider for the fireworks source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class FireworksSpider(PriceSpider):
    name = "fireworks"
