"""The graph as studies and facts: the comparison table, fact-level diffs, releases and the site."""
