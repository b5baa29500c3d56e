"""Writes that change state (being split by concern into the modules of this package)."""

from .workflow import *  # noqa: F403
