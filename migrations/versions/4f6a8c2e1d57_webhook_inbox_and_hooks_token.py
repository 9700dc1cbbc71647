"""webhook inbox; each store's hooks_token, sealed

Revision ID: 4f6a8c2e1d57
Revises: 7c1d2e9a4b30
Create Date: 2026-11-24 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f6a8c2e1d57'
down_revision = '7c1d2e9a4b30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        # Stores installed before this revision get theirs at the next install, connect or store-info refresh.
        batch_op.add_column(sa.Column('hooks_token_enc', sa.Text(), nullable=True))
    op.create_table(
        'webhook_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=64), nullable=False),
        sa.Column('triggered_at', sa.String(length=64), nullable=True),
        sa.Column('delivery_key', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=255), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('processed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('delivery_key'),
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_store_id'), ['store_id'], unique=False)
        batch_op.create_index('ix_webhook_events_status_received_at', ['status', 'received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_events_status_received_at')
        batch_op.drop_index(batch_op.f('ix_webhook_events_store_id'))
    op.drop_table('webhook_events')
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_column('hooks_token_enc')
