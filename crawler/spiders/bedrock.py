"""Spider for the bedrock source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class BedrockSpider(PriceSpider):
    name = "bedrock"
