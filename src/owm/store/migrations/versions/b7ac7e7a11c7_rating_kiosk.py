"""rating kiosk: single-use, short-lived rating links for one episode (token hashes only)

Revision ID: b7ac7e7a11c7
Revises: 0b9c3acfe07b
Create Date: 2026-11-25 22:28:33.250143

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b7ac7e7a11c7"
down_revision: str | Sequence[str] | None = "0b9c3acfe07b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "rating_kiosk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_rating_kiosk_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["app_user.id"], name=op.f("fk_rating_kiosk_opened_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["patient_rating.id"],
            name=op.f("fk_rating_kiosk_rating_id_patient_rating"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_kiosk")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_rating_kiosk_token_hash")),
    )
    with op.batch_alter_table("rating_kiosk", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rating_kiosk_episode_id"), ["episode_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rating_kiosk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_kiosk_episode_id"))

    op.drop_table("rating_kiosk")
