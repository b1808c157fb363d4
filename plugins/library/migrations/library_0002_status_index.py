"""library: index of monographs by status and date of change

Revision ID: library_0002
Revises: library_0001
Create Date: 2026-11-26 17:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "library_0002"
down_revision = "library_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("library_monograph", schema=None) as batch_op:
        batch_op.create_index("ix_library_monograph_status_updated", ["status", "updated_dt"], unique=False)


def downgrade():
    with op.batch_alter_table("library_monograph", schema=None) as batch_op:
        batch_op.drop_index("ix_library_monograph_status_updated")
