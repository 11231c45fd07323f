"""Text extraction (HTML, PDF, plain text) and analysis into structured records.

``extract.text`` turns bytes into text (one module per input kind); ``extract.analysis`` is the
spaCy rule pipeline that finds money, durations, dates, routes and resolutions in that text;
``extract.pipeline`` is the API the other stages call.
"""

# Bump when rules change: records extracted by an older version are re-extracted by `reextract`.
EXTRACTOR_VERSION = "0.3.0"  # 0.3.0: issue 14 rule classes, suppliers and category
