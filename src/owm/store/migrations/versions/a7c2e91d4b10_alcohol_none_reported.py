"""alcohol none reported: the patient's report of no drink in the protocol's alcohol window

Revision ID: a7c2e91d4b10
Revises: 1e9cc05e0cc0
Create Date: 2026-12-03 18:00:00.000000

Clinical spec section 8: alcohol unknown holds a dose; "none reported" is an answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a7c2e91d4b10"
down_revision: str | Sequence[str] | None = "1e9cc05e0cc0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("alcohol") as batch_op:
        batch_op.add_column(
            sa.Column("none_reported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint(op.f("ck_alcohol_something_recorded"), type_="check")
        batch_op.create_check_constraint(
            "something_recorded",
            "last_drink_at IS NOT NULL OR breath_alcohol_mg_l IS NOT NULL OR none_reported",
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM alcohol WHERE last_drink_at IS NULL AND breath_alcohol_mg_l IS NULL")
    with op.batch_alter_table("alcohol") as batch_op:
        batch_op.drop_constraint(op.f("ck_alcohol_something_recorded"), type_="check")
        batch_op.create_check_constraint(
            "something_recorded", "last_drink_at IS NOT NULL OR breath_alcohol_mg_l IS NOT NULL"
        )
        batch_op.drop_column("none_reported")
