"""Mémoire milestones and continuous-assessment writings: handed in by learners, followed by tutors."""

from plugins.memoire.plugin import MemoirePlugin

plugin = MemoirePlugin()
