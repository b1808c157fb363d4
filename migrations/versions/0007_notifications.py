"""notifications and their preferences

Revision ID: 0007_notifications
Revises: 0006_form_submission
Create Date: 2026-12-04 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_notifications'
down_revision = '0006_form_submission'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('read_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('digest_due', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_created_dt'), ['created_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_digest_due'), ['digest_due'], unique=False)

    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('mail', sa.Enum('now', 'digest', 'none', name='mail_mode', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preference'))
    )


def downgrade():
    op.drop_table('notification_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_digest_due'))
        batch_op.drop_index(batch_op.f('ix_notification_created_dt'))
        batch_op.drop_index('ix_notification_user_read')

    op.drop_table('notification')
