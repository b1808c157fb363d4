"""outgoing mail: when a mail was given up

Revision ID: 0003_mail_failures
Revises: 0002_services
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_mail_failures'
down_revision = '0002_services'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_dt', sa.DateTime(timezone=True), nullable=True))
    # Mails given up before this revision (neither sent nor due any more): the moment is unknown, their
    # creation is the closest known one.
    op.execute(
        "UPDATE outgoing_mail SET failed_dt = created_dt WHERE sent_dt IS NULL AND next_attempt_dt IS NULL"
    )


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('failed_dt')
