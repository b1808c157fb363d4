"""library ids never reused on SQLite

Revision ID: library_0003
Revises: library_0002
Create Date: 2026-12-04 18:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "library_0003"
down_revision = "library_0002"
branch_labels = None
depends_on = None

#: Tables whose ids appear in URLs, mail, file names or feeds.
KEEP_IDS = ("library_legal_form", "library_sector", "library_monograph", "library_attachment")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT is a table option on SQLite: each table is rebuilt with it (PostgreSQL's sequences
        # never reuse ids); env.py turns foreign keys off around SQLite migrations.
        for table in KEEP_IDS:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass


def downgrade():
    pass
