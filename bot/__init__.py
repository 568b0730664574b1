"""Expo FAQ bot: answers questions about an expo from a curated FAQ, quoting its source."""
