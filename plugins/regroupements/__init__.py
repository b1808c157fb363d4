"""Regroupement weeks and their sessions, the calendar and its iCal feed, attendance and its reports."""

from plugins.regroupements.plugin import RegroupementsPlugin

plugin = RegroupementsPlugin()
