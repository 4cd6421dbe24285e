"""Spider for the groq source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class GroqSpider(PriceSpider):
    name = "groq"
