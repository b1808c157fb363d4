"""forum ids never reused on SQLite

Revision ID: forum_0002
Revises: forum_0001
Create Date: 2026-12-04 18:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "forum_0002"
down_revision = "forum_0001"
branch_labels = None
depends_on = None

#: Tables whose ids appear in URLs, mail, file names or feeds.
KEEP_IDS = ("forum_forum", "forum_discussion", "forum_post", "forum_post_file")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT is a table option on SQLite: each table is rebuilt with it (PostgreSQL's sequences
        # never reuse ids); env.py turns foreign keys off around SQLite migrations.
        for table in KEEP_IDS:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass


def downgrade():
    pass
