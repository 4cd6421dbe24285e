"""Spider for the cohere source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class CohereSpider(PriceSpider):
    name = "cohere"
