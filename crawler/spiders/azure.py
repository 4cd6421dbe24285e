"""Spider for the azure source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class AzureSpider(PriceSpider):
    name = "azure"
