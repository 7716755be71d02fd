"""Verify the audit chain on behalf of a person (who may read the audit trail).

Why a use case: `owm audit verify` runs as the system on the server; the API lets
an admin or pharmacist check the chain from their desk, under the permission
matrix like any other read. The walk itself is `owm.store.audit.verify`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from owm.service.actor import Actor
from owm.service.common import begin
from owm.service.permissions import Permission
from owm.store.audit import VerifyResult, verify
from owm.store.models import AuditEntry
from owm.store.uow import UnitOfWork

__all__ = ["count_audit_entries", "verify_audit"]


def verify_audit(
    uow: UnitOfWork, actor: Actor, *, progress: Callable[[int, int], None] | None = None
) -> VerifyResult:
    """Walk the chain; the result names the first entry changed, removed or inserted.

    `progress(done, total)` is called as entries are checked (for a progress bar).
    """
    with uow.read():
        begin(uow, actor, Permission.READ_AUDIT)
        return verify(uow.session, progress=progress)


def count_audit_entries(uow: UnitOfWork, actor: Actor) -> int:
    """How many entries the audit trail holds (to decide whether a walk shows progress)."""
    with uow.read():
        begin(uow, actor, Permission.READ_AUDIT)
        return uow.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
