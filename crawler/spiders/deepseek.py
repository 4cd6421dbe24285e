"""Spider for the deepseek source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class DeepseekSpider(PriceSpider):
    name = "deepseek"
