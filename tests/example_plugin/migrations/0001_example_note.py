"""example plugin: the example_note table

Revision ID: example_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "example_0001"
down_revision = None
branch_labels = ("example",)
depends_on = "0002_services"


def upgrade():
    op.create_table(
        "example_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_example_note_user_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohort.id"], name=op.f("fk_example_note_cohort_id_cohort"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_example_note_file_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_note")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("example_note") as batch_op:
        batch_op.create_index(batch_op.f("ix_example_note_user_id"), ["user_id"], unique=False)


def downgrade():
    op.drop_table("example_note")
