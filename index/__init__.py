"""Store of record (SQLite) and search backends (tantivy embedded, Elasticsearch at scale)."""
