"""Crawl stage: Scrapy spiders that fetch council committee papers into the store.

Data flows one way: registry (corpora/councils.csv) -> spiders (crawlers/spiders) -> pipelines
(attachments, then store + crawl state) -> index/store.py. `crawlers.run.crawl` is the entry point.
"""
