"""idempotency keys of admissions and problem reports

The form's key is stored with the episode it opened (unique) and with the problem
report it made (unique per reporter), so a form sent twice is answered with the
first result on any server process. Unique indexes, not table constraints: on
SQLite they are added without rebuilding tables that other tables refer to.

Revision ID: 5fbbb2764778
Revises: fdfe0cabf622
Create Date: 2026-11-25 22:11:41.358981

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5fbbb2764778"
down_revision: str | Sequence[str] | None = "fdfe0cabf622"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("episode", sa.Column("idempotency_key", sa.String(length=200), nullable=True))
    op.create_index("uq_episode_idempotency_key", "episode", ["idempotency_key"], unique=True)
    op.add_column(
        "problem_report", sa.Column("idempotency_key", sa.String(length=200), nullable=True)
    )
    op.create_index(
        "uq_problem_report_idempotency_key",
        "problem_report",
        ["reported_by", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("uq_problem_report_idempotency_key", table_name="problem_report")
    with op.batch_alter_table("problem_report") as batch_op:
        batch_op.drop_column("idempotency_key")
    op.drop_index("uq_episode_idempotency_key", table_name="episode")
    with op.batch_alter_table("episode") as batch_op:
        batch_op.drop_column("idempotency_key")
