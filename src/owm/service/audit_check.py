"""Verify the audit chain on behalf of a person (who may read the audit trail).

Why a use case: `owm audit verify` runs as the system on the server; the API lets
an admin or pharmacist check the chain from their desk, under the permission
matrix like any other read. The walk itself is `owm.store.audit.verify`.
"""

from __future__ import annotations

from owm.service.actor import Actor
from owm.service.common import begin
from owm.service.permissions import Permission
from owm.store.audit import VerifyResult, verify
from owm.store.uow import UnitOfWork

__all__ = ["verify_audit"]


def verify_audit(uow: UnitOfWork, actor: Actor) -> VerifyResult:
    """Walk the chain; the result names the first entry changed, removed or inserted."""
    with uow.read():
        begin(uow, actor, Permission.READ_AUDIT)
        return verify(uow.session)
