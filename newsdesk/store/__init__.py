"""Stores: the Store protocol and its SQLite implementation (PostgreSQL to follow)."""

from newsdesk.store.base import Store
from newsdesk.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store"]
