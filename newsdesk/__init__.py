"""newsdesk: raw news in, grounded and cited briefs out."""

__version__ = "0.1.0"
