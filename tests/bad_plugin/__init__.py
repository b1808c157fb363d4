"""A plugin whose table lacks its prefix: loading it must fail."""

from portal.plugins import Plugin


class BadTablesPlugin(Plugin):
    """Owns a table called `wrong_name` instead of `badtables_...`."""

    name = "badtables"


plugin = BadTablesPlugin()
