"""Text extraction (HTML, PDF, plain text) and analysis into structured records."""
