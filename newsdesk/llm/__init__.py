"""Engine "llm": an OpenAI-compatible model writes the brief; the verifier keeps it honest.

client.py (HTTP, retries, limit, accounting), cache.py (answers on disk), evidence.py
(numbered sentences within a budget), prompt.py (rules + data), parse.py (lenient JSON,
strict shape), engine.py (ask, verify, replace, fall back).
"""
