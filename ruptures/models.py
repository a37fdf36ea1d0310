"""Ruptures, their timeline and repair (filled in by the ruptures work)."""
