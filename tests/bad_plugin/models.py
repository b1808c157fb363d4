"""The misnamed table."""

import sqlalchemy.orm as so

from portal.extensions import db


class WrongName(db.Model):
    """A table without the plugin's prefix."""

    __tablename__ = "wrong_name"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
