"""ward contact: the phone number printed on the patient sheet and the handoff

Revision ID: 917e3f7edb86
Revises: 5fbbb2764778
Create Date: 2026-11-25 22:24:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "917e3f7edb86"
down_revision: str | Sequence[str] | None = "5fbbb2764778"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("ward", sa.Column("contact", sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("ward") as batch_op:
        batch_op.drop_column("contact")
