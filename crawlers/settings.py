"""Scrapy settings for the committee-papers crawlers (politeness first: these are councils' servers).

run.py adds the per-run values (PAPERS_* keys, USER_AGENT with the contact URL from
papers.settings.Settings, FILES_STORE) and, for the local snapshot only, SNAPSHOT_OVERRIDES.
"""

from papers.logs import FORMAT

BOT_NAME = "committee-papers"
SPIDER_MODULES = ["crawlers.spiders"]

# Politeness: councils run these sites on modest servers and some block crawlers that hammer them.
ROBOTSTXT_OBEY = True
# Politeness is per site: at most two requests at a time and one per DOWNLOAD_DELAY each. The total
# across councils only bounds the worker: requests waiting out a site's delay count towards it, so
# at 16 a national crawl (300+ sites) was held to ~30 requests/s with the CPU mostly idle
# (tests/benchmarks/national_sim.py).
CONCURRENT_REQUESTS = 128
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Hand the downloader the next request of the site with the fewest in its slot, not the newest
# request (Scrapy's LIFO), which is usually one more for the site that just answered and waits out
# its delay while other sites idle (Scrapy's advice for broad crawls).
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# A callback's output is mostly one item and a few requests; Scrapy starts this many tasks per
# response to process it (100 by default: a fifth of the worker's CPU on the national crawl).
CONCURRENT_ITEMS = 8
# Scrapy checks each callback's source for a `return value` in a generator on every response: its
# cache is keyed by the bound method, new on every call, so it re-reads and parses the source each
# time (14% of the worker's CPU on the national crawl). Our spiders are linted instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# Listings render a whole date window before the first byte; busy councils take minutes. One that
# still times out is split in two (crawlers/spiders/moderngov.py), so a long wait is not wasted.
LISTING_TIMEOUT = 180
# Files being written go under FILES_STORE/PARTIAL_DIR (one filesystem, so the rename into place is
# atomic). A run killed mid-write leaves its part there; the next crawl empties it before starting.
PARTIAL_DIR = ".partial"
COOKIES_ENABLED = False  # sessions live in the URL on ModernGov (/(S(...))/) and are stripped anyway

# Retries with exponential backoff (crawlers.middlewares.BackoffRetryMiddleware) on 429 and 5xx.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0  # seconds; doubled per attempt, Retry-After honoured when larger
RETRY_BACKOFF_MAX = 60.0
# The spider logs each request that still failed after retries (url and reason, one line), and
# the circuit breaker each site it gives up on: Scrapy's own give-up line would say it twice.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"

# Attachments: through the files pipeline, capped in size (the cap applies per file).
FILES_MAX_BYTES = 50 * 1024 * 1024
MEDIA_ALLOW_REDIRECTS = True

# Incremental runs: a council re-visits this many days before its last successful run (minutes
# appear weeks after a meeting; decisions settle for months), and looks ahead for new meetings.
LOOKBACK_DAYS = 90
LOOKAHEAD_DAYS = 60
BACKFILL_SINCE = "2000-01-01"  # a council's first run starts here

REQUEST_FINGERPRINTER_CLASS = "crawlers.urls.CanonicalFingerprinter"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.ConditionalRequestMiddleware": 560,
    # After the retries (higher order: nearer the download), so it sees every attempt.
    "crawlers.middlewares.SiteBreaker": 590,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.AttachmentsPipeline": 100,
    "crawlers.pipelines.StorePipeline": 900,
}
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# The crawl runs in a child process; its log lines must look like every other stage's.
LOG_FORMAT = FORMAT
LOG_DATEFORMAT = "%H:%M:%S"

# Politeness is per site (host). The snapshot serves every council from one loopback address, so
# there each council gets its own download slot, as it would on the real web.
PAPERS_SLOT_PER_COUNCIL = False

# Our own loopback snapshot is not a council's server: no need to be slow with it.
SNAPSHOT_OVERRIDES = {
    "PAPERS_SLOT_PER_COUNCIL": True,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0.01,
    "AUTOTHROTTLE_MAX_DELAY": 0.5,
    "DOWNLOAD_TIMEOUT": 3,
    "LISTING_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.05,
    "RETRY_BACKOFF_MAX": 0.2,
}
