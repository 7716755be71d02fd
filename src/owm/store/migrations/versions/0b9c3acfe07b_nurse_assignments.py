"""nurse assignments: the nurse looking after each episode, with history

Revision ID: 0b9c3acfe07b
Revises: 3c1d9a7e5b20
Create Date: 2026-11-25 22:21:07.575829

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0b9c3acfe07b"
down_revision: str | Sequence[str] | None = "3c1d9a7e5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "nurse_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("nurse_id", sa.Integer(), nullable=False),
        sa.Column("from_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(until_at IS NULL AND ended_by IS NULL) OR (until_at IS NOT NULL AND ended_by IS NOT NULL)",
            name=op.f("ck_nurse_assignment_end_complete"),
        ),
        sa.CheckConstraint(
            "until_at IS NULL OR until_at >= from_at",
            name=op.f("ck_nurse_assignment_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["app_user.id"], name=op.f("fk_nurse_assignment_ended_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["app_user.id"], name=op.f("fk_nurse_assignment_entered_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_nurse_assignment_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["nurse_id"], ["app_user.id"], name=op.f("fk_nurse_assignment_nurse_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nurse_assignment")),
    )
    with op.batch_alter_table("nurse_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nurse_assignment_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nurse_assignment_nurse_id"), ["nurse_id"], unique=False
        )
        batch_op.create_index(
            "uq_nurse_assignment_current",
            ["episode_id"],
            unique=True,
            sqlite_where=sa.text("until_at IS NULL"),
            postgresql_where=sa.text("until_at IS NULL"),
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("nurse_assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_nurse_assignment_current",
            sqlite_where=sa.text("until_at IS NULL"),
            postgresql_where=sa.text("until_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_nurse_assignment_nurse_id"))
        batch_op.drop_index(batch_op.f("ix_nurse_assignment_episode_id"))

    op.drop_table("nurse_assignment")
