"""Ingest: read sources (files, directories, URLs, stdin) into RawDocuments, then Articles."""
