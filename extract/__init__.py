"""Text extraction (HTML, PDF, plain text) and analysis into structured records.

``extract.text`` turns bytes into text (one module per input kind); ``extract.analysis`` is the
spaCy rule pipeline that finds money, durations, dates, routes and resolutions in that text;
``extract.pipeline`` is the API the other stages call.
"""

# Bump when rules change: records extracted by an older version are re-extracted by `reextract`.
EXTRACTOR_VERSION = "0.3.2"  # 0.3: issue 14 rule classes, suppliers and category; 0.3.1: label lines, a full stop ends a supplier name; 0.3.2: issue 14 generalisation (period, values, per, routes, durations)
