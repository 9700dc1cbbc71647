"""session epoch per store; pending installs bound to the browser that started them

Revision ID: 7c1d2e9a4b30
Revises: e3469333d268
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1d2e9a4b30'
down_revision = 'e3469333d268'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('oauth_states', schema=None) as batch_op:
        # Pending installs from before this revision belong to no browser: they can no longer complete.
        batch_op.add_column(sa.Column('browser_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_oauth_states_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('oauth_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oauth_states_expires_at'))
        batch_op.drop_column('browser_hash')
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
