"""Moved to `quizapp.values` (shared by every topic and the question types)."""

from quizapp.values import quick_init

__all__ = ["quick_init"]
