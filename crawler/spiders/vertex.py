"""Spider for the vertex source (URLs and extractor: crawler/sources.py)."""

from aiprices.crawler.spiders.base import PriceSpider


class VertexSpider(PriceSpider):
    name = "vertex"
