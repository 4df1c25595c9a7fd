"""Errors a person can act on.

Every failure caused by input (a path, a file's bytes, a date, a query) raises an
`InputError` whose message is one line saying what is wrong and what to do. The CLI prints
that line and exits non-zero; batch ingest records it as the quarantine reason.
"""


class NewsdeskError(Exception):
    """Base class: anything newsdesk raises on purpose."""


class InputError(NewsdeskError):
    """The input cannot be turned into an article; the message says why and what to do."""


class NotFoundError(NewsdeskError):
    """An id, path or record the user named does not exist."""


class StoreError(NewsdeskError):
    """The database cannot be opened or is of an unknown schema."""


class LlmError(NewsdeskError):
    """The language model server could not be reached or gave no usable answer; the
    brief falls back to the extractive engine and says why."""
