"""Prompt delivery: a burst of due prompts through one worker and the beat sweep (see README.md)."""
