"""unmapped records: what an import held that owm could not map, kept so it keeps escalating

Revision ID: c3d8f4a2e617
Revises: a7c2e91d4b10
Create Date: 2026-12-03 18:30:00.000000

Clinical spec section 8: a condition, allergy or medicine an import holds but owm
cannot map escalates unmapped-record, naming each; a physician voids the entry once
it has been reviewed and charted in owm's own terms.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c3d8f4a2e617"
down_revision: str | Sequence[str] | None = "a7c2e91d4b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "unmapped_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("system", sa.String(length=500), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL) OR "
            "(voided_at IS NOT NULL AND voided_by IS NOT NULL AND void_reason IS NOT NULL)",
            name=op.f("ck_unmapped_record_void_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["app_user.id"], name=op.f("fk_unmapped_record_entered_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_unmapped_record_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"], ["app_user.id"], name=op.f("fk_unmapped_record_voided_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmapped_record")),
        sa.UniqueConstraint(
            "episode_id",
            "idempotency_key",
            name=op.f("uq_unmapped_record_episode_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("unmapped_record", schema=None) as batch_op:
        batch_op.create_index("ix_unmapped_record_episode_at", ["episode_id", "at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("unmapped_record", schema=None) as batch_op:
        batch_op.drop_index("ix_unmapped_record_episode_at")
    op.drop_table("unmapped_record")
