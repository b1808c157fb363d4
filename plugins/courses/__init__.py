"""Course material per bloc: files, folders, links and pages for each seminar, with learners' progress."""

from plugins.courses.plugin import CoursesPlugin

plugin = CoursesPlugin()
