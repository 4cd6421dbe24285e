"""Spider for the gemini source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class GeminiSpider(PriceSpider):
    name = "gemini"
