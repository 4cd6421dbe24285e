"""Spider for the openai source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class OpenaiSpider(PriceSpider):
    name = "openai"
