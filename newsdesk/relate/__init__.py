"""The relate stage: near-duplicates, embeddings, stories, related coverage."""
