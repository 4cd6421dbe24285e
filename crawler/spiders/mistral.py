"""Spider for the mistral source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class MistralSpider(PriceSpider):
    name = "mistral"
