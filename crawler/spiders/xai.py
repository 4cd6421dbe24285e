"""Spider for the xai source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class XaiSpider(PriceSpider):
    name = "xai"
