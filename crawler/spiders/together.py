"""Spider for the together source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class TogetherSpider(PriceSpider):
    name = "together"
