"""The curated records and the review's text, shipped with dta-kg as package data (see README.md)."""
