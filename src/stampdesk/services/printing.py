"""The print outbox: receipts waiting for the printer.

A receipt's job is written in the sale's own transaction (``enqueue``), so the
sale never depends on the printer. The printer package then takes pending jobs
(``pending``), and records what happened (``printed`` / ``failed``). A job
sent but never confirmed by the printer is *uncertain*: printing that sale
again is marked DUPLICATA, since the customer may already hold one.

A job belongs to the till that asked for it (the sale's till, or the till
asking for a reprint or a test page): each till's printer prints its own
jobs, plus those no till asked for (a script's ``checkout --print``). A shop
with two tills and two printers on one database never prints a receipt at
the wrong counter. ``stampdesk serve``'s printer prints for the tills that
sell through it (its API keys' names).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, insert, or_, select, update

from ..domain.errors import NotFound
from ..domain.validate import clean_checkout_id
from ..models import checkouts, print_jobs
from ..results import Result
from ..store import Store

MAX_ERROR = 200


@dataclass(frozen=True)
class PrintJob(Result):
    """One receipt to print (``checkout`` is None for a test page)."""

    id: int
    checkout: int | None
    kind: str  # sale, reprint, test
    status: str  # pending, printed
    attempts: int
    last_error: str | None
    duplicate: bool  # print DUPLICATA on it
    created_at: datetime
    till: str | None = None  # whose printer prints it (None: any till's)


def enqueue(
    conn: Connection, checkout_id: int | None, at: datetime, *, kind: str = "sale", till: str | None = None
) -> int:
    """Add a job for ``till``'s printer in the caller's transaction; returns its id."""
    new_id = conn.execute(
        insert(print_jobs).values(checkout_id=checkout_id, kind=kind, created_at=at, till=till)
    ).inserted_primary_key
    assert new_id is not None
    return int(new_id[0])


def first_job(conn: Connection, checkout_id: int) -> int | None:
    """The receipt job the sale itself asked for, if any."""
    job: int | None = conn.execute(
        select(func.min(print_jobs.c.id)).where(
            print_jobs.c.checkout_id == checkout_id, print_jobs.c.kind == "sale"
        )
    ).scalar()
    return job


def _job(row: object, duplicate: bool) -> PrintJob:
    return PrintJob(
        id=row.id,  # type: ignore[attr-defined]
        checkout=row.checkout_id,  # type: ignore[attr-defined]
        kind=row.kind,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        attempts=row.attempts,  # type: ignore[attr-defined]
        last_error=row.last_error,  # type: ignore[attr-defined]
        duplicate=duplicate,
        created_at=row.created_at,  # type: ignore[attr-defined]
        till=row.till,  # type: ignore[attr-defined]
    )


def _duplicate(row: object) -> bool:
    return row.kind == "reprint" or bool(row.uncertain)  # type: ignore[attr-defined]


def pending(store: Store, limit: int = 50, *, tills: Collection[str] = ()) -> tuple[PrintJob, ...]:
    """Jobs still to print on this printer, oldest first: those of this
    till (``settings.till``) and of ``tills``, and those of no till."""
    names = {*tills, *([store.settings.till] if store.settings.till else [])}
    mine: ColumnElement[bool] = print_jobs.c.till.is_(None)
    if names:
        mine = or_(mine, print_jobs.c.till.in_(sorted(names)))
    with store.read() as conn:
        rows = conn.execute(
            select(print_jobs)
            .where(print_jobs.c.status == "pending", mine)
            .order_by(print_jobs.c.id)
            .limit(limit)
        ).all()
        return tuple(_job(r, _duplicate(r)) for r in rows)


def job(store: Store, job_id: int) -> PrintJob:
    with store.read() as conn:
        row = conn.execute(select(print_jobs).where(print_jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(code="unknown_print_job", job=job_id)
    return _job(row, _duplicate(row))


def printed(store: Store, job_id: int) -> None:
    with store.write() as conn:
        conn.execute(
            update(print_jobs)
            .where(print_jobs.c.id == job_id)
            .values(
                status="printed", printed_at=store.now(), attempts=print_jobs.c.attempts + 1, last_error=None
            )
        )


def failed(store: Store, job_id: int, reason: str, *, uncertain: bool) -> None:
    """Keep the job pending with its reason; ``uncertain`` when it may have printed."""
    values: dict[str, object] = {"attempts": print_jobs.c.attempts + 1, "last_error": reason[:MAX_ERROR]}
    if uncertain:
        values["uncertain"] = 1
    with store.write() as conn:
        conn.execute(update(print_jobs).where(print_jobs.c.id == job_id).values(**values))


def reprint(store: Store, checkout_id: object) -> PrintJob:
    """A new job printing a sale's receipt again, marked DUPLICATA whenever an
    earlier receipt of it printed or may have printed."""
    checkout_id = clean_checkout_id(checkout_id)
    now = store.now()
    with store.write() as conn:
        if conn.execute(select(checkouts.c.id).where(checkouts.c.id == checkout_id)).first() is None:
            raise NotFound(code="unknown_checkout", checkout=checkout_id)
        # Jobs of this sale still pending are replaced by this one.
        conn.execute(
            update(print_jobs)
            .where(print_jobs.c.checkout_id == checkout_id, print_jobs.c.status == "pending")
            .values(status="replaced")
        )
        job_id = enqueue(conn, checkout_id, now, kind="reprint", till=store.settings.till)
        row = conn.execute(select(print_jobs).where(print_jobs.c.id == job_id)).one()
    return _job(row, True)


def test_page(store: Store) -> PrintJob:
    """A job printing the test page."""
    now = store.now()
    with store.write() as conn:
        job_id = enqueue(conn, None, now, kind="test", till=store.settings.till)
        row = conn.execute(select(print_jobs).where(print_jobs.c.id == job_id)).one()
    return _job(row, False)


def print_receipt(store: Store, checkout_id: object, *, till: str | None = None) -> PrintJob:
    """Queue a sale's receipt for the printer (the HTTP API's print request).

    A receipt already waiting and never sent is left as it is (asking twice
    prints once); once a receipt of the sale printed or may have printed, a
    new job prints it again as DUPLICATA.
    """
    checkout_id = clean_checkout_id(checkout_id)
    now = store.now()
    with store.write() as conn:
        if conn.execute(select(checkouts.c.id).where(checkouts.c.id == checkout_id)).first() is None:
            raise NotFound(code="unknown_checkout", checkout=checkout_id)
        jobs = conn.execute(
            select(print_jobs)
            .where(print_jobs.c.checkout_id == checkout_id, print_jobs.c.status != "replaced")
            .order_by(print_jobs.c.id)
        ).all()
        waiting = [j for j in jobs if j.status == "pending" and not j.uncertain]
        if waiting and len(waiting) == len(jobs):
            return _job(waiting[-1], _duplicate(waiting[-1]))
        till = till or store.settings.till
        if not jobs:
            job_id = enqueue(conn, checkout_id, now, till=till)
        else:
            conn.execute(
                update(print_jobs)
                .where(print_jobs.c.checkout_id == checkout_id, print_jobs.c.status == "pending")
                .values(status="replaced")
            )
            job_id = enqueue(conn, checkout_id, now, kind="reprint", till=till)
        row = conn.execute(select(print_jobs).where(print_jobs.c.id == job_id)).one()
    return _job(row, _duplicate(row))
