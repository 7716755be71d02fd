"""The audit trail: append-only, hash-chained, written in the same transaction as the change.

Each entry holds who (user id, username, role), what (action), which record (type
and id), the record before and after (canonical JSON), when, from where (client
address), the hash of the previous entry and the SHA-256 of its own canonical
content. Changing an entry breaks its own hash; removing or inserting one breaks
the link of the entry after it; the chain head row (sequence number and hash of
the last entry) catches entries removed from, or added to, the end.

Why the head row is locked: two transactions appending at once would both link
to the same previous entry and fork the chain. `append` takes the head row with
`SELECT ... FOR UPDATE` on PostgreSQL (held until commit); on SQLite the write
transaction is already `BEGIN IMMEDIATE`, so writers are serialised. `append`
must be the last thing a transaction does before commit, after any other row
locks, so that lock order is always "records, then the chain".

What a hash chain cannot prove: someone with write access to the database who
rewrites every entry from some point on and the head row produces a chain that
verifies. `owm audit verify` prints the head hash so it can be kept elsewhere and
compared later.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from owm.store.models.audit import GENESIS_HASH, AuditEntry, AuditHead

__all__ = [
    "AuditProblem",
    "AuditWho",
    "VerifyResult",
    "append",
    "canonical_json",
    "entry_hash",
    "verify",
]

HEAD_ID = 1
_WINDOW = 10_000


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"time {value.isoformat()} has no time zone")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot put {type(value).__name__} into the audit trail")


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8, times as UTC ISO with Z."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


@dataclass(frozen=True, slots=True)
class AuditWho:
    """Who acted and from where; `user_id` is None for the system (CLI, demo, migrations)."""

    user_id: int | None
    username: str
    role: str
    client_address: str | None = None


def _content(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "user_id": entry.user_id,
        "username": entry.username,
        "role": entry.role,
        "action": entry.action,
        "record_type": entry.record_type,
        "record_id": entry.record_id,
        "before": entry.before,
        "after": entry.after,
        "client_address": entry.client_address,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 (hex) of the entry's canonical content, its previous hash included."""
    return hashlib.sha256(canonical_json(_content(entry)).encode("utf-8")).hexdigest()


def _head(session: Session) -> AuditHead:
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        raise RuntimeError("the audit chain head is missing: run the migrations (owm serve/demo)")
    return head


def append(
    session: Session,
    who: AuditWho,
    *,
    action: str,
    record_type: str,
    record_id: int | str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime,
) -> AuditEntry:
    """Append one entry to the chain in the session's transaction and return it.

    Call it after the change is flushed and after any other row locks; the head row
    stays locked until the transaction ends.
    """
    head = _head(session)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=at.astimezone(UTC),
        user_id=who.user_id,
        username=who.username,
        role=who.role,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        before=None if before is None else canonical_json(before),
        after=None if after is None else canonical_json(after),
        client_address=who.client_address,
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.flush()
    return entry


ProblemKind = Literal["changed", "removed", "inserted"]


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """The first place the chain is broken: the entry's sequence number and what happened."""

    seq: int
    kind: ProblemKind
    message: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    entries: int
    head_seq: int
    head_hash: str
    problem: AuditProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _link_problem(entry: AuditEntry, prev_seq: int, seen: Mapping[str, int]) -> AuditProblem:
    """Why `entry` does not follow the entry before it: inserted, changed or removed."""
    seq = entry.seq
    linked = seen.get(entry.prev_hash)
    if linked is not None and linked != prev_seq:
        return AuditProblem(
            linked + 1,
            "inserted",
            f"entry {linked + 1} was inserted: entry {seq} follows entry {linked} in the chain",
        )
    if seq == prev_seq + 1:
        return AuditProblem(
            prev_seq,
            "changed",
            f"entry {prev_seq} was changed (its hash was rewritten), or entry {seq} was "
            "inserted: they do not link",
        )
    return AuditProblem(
        prev_seq + 1,
        "removed",
        f"entry {prev_seq + 1} was removed: entry {seq} does not follow entry {prev_seq}",
    )


def _check(
    entry: AuditEntry, head_seq: int, prev_seq: int, prev_hash: str, seen: Mapping[str, int]
) -> AuditProblem | None:
    seq = entry.seq
    if seq > head_seq:
        return AuditProblem(
            seq,
            "inserted",
            f"entry {seq} lies beyond the chain head (entry {head_seq}): it was inserted outside owm",
        )
    if entry_hash(entry) != entry.hash:
        if entry.prev_hash != prev_hash and entry.prev_hash not in seen:
            return AuditProblem(
                seq,
                "inserted",
                f"entry {seq} was inserted: it neither matches its hash nor links to entry "
                f"{prev_seq}",
            )
        return AuditProblem(
            seq, "changed", f"entry {seq} was changed: its content does not match its hash"
        )
    if entry.prev_hash != prev_hash:
        return _link_problem(entry, prev_seq, seen)
    if seq != prev_seq + 1:
        return AuditProblem(
            seq, "changed", f"entry {seq} was renumbered: it follows entry {prev_seq} in the chain"
        )
    return None


def verify(
    session: Session,
    progress: Callable[[int, int], None] | None = None,
    *,
    batch: int = 1000,
) -> VerifyResult:
    """Walk the chain from the first entry and name the first entry changed, removed or inserted.

    `progress(done, total)` is called as entries are checked (for a progress bar).
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID)).scalar_one_or_none()
    total = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    if head is None:
        return VerifyResult(
            total,
            0,
            GENESIS_HASH,
            AuditProblem(0, "removed", "the audit chain head row is missing"),
        )
    prev_seq, prev_hash = 0, GENESIS_HASH
    # Hashes of recent entries, to tell "inserted" (links to an older entry) from "removed".
    seen: dict[str, int] = {GENESIS_HASH: 0}
    recent: deque[str] = deque()
    count = 0
    problem: AuditProblem | None = None
    result = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
    )
    try:
        for entry in result.scalars():
            count += 1
            problem = _check(entry, head.seq, prev_seq, prev_hash, seen)
            if problem is not None:
                break
            seen[entry.hash] = entry.seq
            recent.append(entry.hash)
            if len(recent) > _WINDOW:
                seen.pop(recent.popleft(), None)
            prev_seq, prev_hash = entry.seq, entry.hash
            if progress is not None and count % batch == 0:
                progress(count, total)
    finally:
        result.close()
    if progress is not None:
        progress(count, total)
    if problem is None and head.seq > prev_seq:
        problem = AuditProblem(
            prev_seq + 1,
            "removed",
            f"entry {prev_seq + 1} was removed: the chain head says the last entry is "
            f"{head.seq}, the last entry found is {prev_seq}",
        )
    elif problem is None and head.hash != prev_hash:
        problem = AuditProblem(
            prev_seq,
            "changed",
            f"entry {prev_seq} does not match the chain head's hash: it or the head was changed",
        )
    return VerifyResult(count, prev_seq, prev_hash, problem)
