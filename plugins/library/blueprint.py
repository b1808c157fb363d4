"""The library blueprint."""

from flask import Blueprint

bp = Blueprint("library", __name__, template_folder="templates")
