"""cds seen tokens: the CDS Hooks JWT ids already accepted, shared by every server process

Revision ID: 3c1d9a7e5b20
Revises: 917e3f7edb86
Create Date: 2026-11-25 22:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "3c1d9a7e5b20"
down_revision: str | Sequence[str] | None = "917e3f7edb86"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "cds_seen_token",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cds_seen_token")),
    )
    op.create_index("ix_cds_seen_token_expires_at", "cds_seen_token", ["expires_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_cds_seen_token_expires_at", table_name="cds_seen_token")
    op.drop_table("cds_seen_token")
