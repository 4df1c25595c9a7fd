"""Relating articles: near-duplicates, embeddings, stories, related coverage."""
