"""patient details with history: every version effective from its time

Existing patients get one version holding their details now, effective from their
first admission (or from when the patient was first entered, if earlier): the
details as known, from the start, which is what every decision read before.

Revision ID: 1e9cc05e0cc0
Revises: b7ac7e7a11c7
Create Date: 2026-11-25 22:39:09.074115

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "1e9cc05e0cc0"
down_revision: str | Sequence[str] | None = "b7ac7e7a11c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "patient_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("age_years", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("weight_kg", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("allergies", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["app_user.id"], name=op.f("fk_patient_details_entered_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_patient_details_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_details")),
    )
    with op.batch_alter_table("patient_details", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_details_patient_from", ["patient_id", "effective_from"], unique=False
        )
    op.execute(
        """
        INSERT INTO patient_details (
            patient_id, effective_from, date_of_birth, age_years, sex, weight_kg, pregnant,
            conditions, allergies, history, entered_by, entered_at
        )
        SELECT
            p.id,
            COALESCE(
                (SELECT MIN(e.admitted_at) FROM episode e
                 WHERE e.patient_id = p.id AND e.admitted_at < p.entered_at),
                p.entered_at
            ),
            p.date_of_birth, p.age_years, p.sex, p.weight_kg, p.pregnant,
            p.conditions, p.allergies, p.history, p.entered_by, p.updated_at
        FROM patient p
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("patient_details", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_details_patient_from")

    op.drop_table("patient_details")
