"""The memoire blueprint."""

from flask import Blueprint

bp = Blueprint("memoire", __name__, template_folder="templates")
