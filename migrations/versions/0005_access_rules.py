"""programme coordinators, enrolment end dates and access extensions, ids never reused on SQLite

Revision ID: 0005_access_rules
Revises: 0004_login_throttle
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_access_rules'
down_revision = '0004_login_throttle'
branch_labels = None
depends_on = None

#: Tables whose ids appear in URLs, mail, file names or feeds.
KEEP_IDS = ('user', 'programme', 'bloc', 'seminar', 'cohort', 'enrolment', 'atelier', 'stored_file',
            'outgoing_mail')


def upgrade():
    op.create_table('programme_coordinator',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_coordinator_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_programme_coordinator_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'user_id', name=op.f('pk_programme_coordinator'))
    )
    with op.batch_alter_table('programme_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_coordinator_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('access_until', sa.Date(), nullable=True))

    if op.get_bind().dialect.name == 'sqlite':
        # AUTOINCREMENT is a table option on SQLite: each table is rebuilt with it (PostgreSQL's sequences
        # never reuse ids). env.py turns foreign keys off around SQLite migrations, so rebuilding a table
        # leaves the rows that point at it alone.
        for table in KEEP_IDS:
            with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
                pass


def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('access_until')
        batch_op.drop_column('ends_on')

    with op.batch_alter_table('programme_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_coordinator_user_id'))

    op.drop_table('programme_coordinator')
