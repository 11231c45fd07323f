"""`papers serve`: a read-only web interface and JSON API over the store and the search index.

app.py builds the ASGI app; pages.py renders the HTML pages, api.py the JSON API; both call the
same index.service functions as the CLI. Decision text marking lives in marks.py, the contracts
chart in chart.py, council coverage in councils.py, the Atom feed in feed.py, request limits in
limits.py, and every link the site makes in urls.py.
"""

from papers.web.app import create_app

__all__ = ["create_app"]
