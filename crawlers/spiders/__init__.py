"""Spiders, one module per platform; each class is named by the shape of the source it reads."""
