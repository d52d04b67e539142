"""outbox: ``sending`` and ``unknown`` states

A message is marked ``sending`` (committed) before it is handed to Telegram; a sender that starts
finds those left by a process that stopped mid-send and makes them ``unknown``, a final state:
they may have arrived, so they are never sent again. Only the state CHECK constraint changes.

Downgrading makes ``sending`` and ``unknown`` rows ``failed`` (the old schema has no such states).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:10:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = "state IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'unknown')"
OLD = "state IN ('pending', 'sent', 'blocked', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_state'), type_='check')
        batch_op.create_check_constraint('state', NEW)


def downgrade() -> None:
    op.execute("UPDATE outbox SET state = 'failed' WHERE state IN ('sending', 'unknown')")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_state'), type_='check')
        batch_op.create_check_constraint('state', OLD)
