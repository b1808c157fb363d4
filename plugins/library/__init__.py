"""The library of remarkable projects: monographs, proposed by learners and published by staff."""

from plugins.library.plugin import LibraryPlugin

plugin = LibraryPlugin()
