"""The live desk: polite, safe fetching of feeds and sites, a journal of every fetched
item so nothing is lost, the watch loop, and alerts."""
