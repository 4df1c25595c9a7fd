"""The relate stage: embeddings, stories, and (later) retrieval of related coverage."""
