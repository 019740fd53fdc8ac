"""The print outbox: a receipt's job is written with its sale, and what the
printer did is recorded without ever touching the sale."""

from __future__ import annotations

import pytest

from helpers import EXAMPLE_PROGRAM, Clock, counts, make_desk
from stampdesk import InvalidInput, NotFound
from stampdesk.desk import Desk
from stampdesk.services import printing


def test_a_receipt_job_is_written_with_the_sale(desk: Desk) -> None:
    number = desk.enrol(name="Ana").number
    sale = desk.checkout(card=number, amount="5.00", receipt=True, idempotency_key="r-1")
    assert sale.print_job is not None
    jobs = desk.pending_receipts()
    expected = [(sale.print_job, sale.checkout, "sale", False)]
    assert [(j.id, j.checkout, j.kind, j.duplicate) for j in jobs] == expected
    again = desk.checkout(card=number, amount="5.00", receipt=True, idempotency_key="r-1")
    assert again.print_job == sale.print_job and counts(desk)["print_jobs"] == 1
    assert desk.checkout(card=number, amount="5.00").print_job is None


def test_a_failed_job_stays_pending_and_an_uncertain_one_prints_as_a_duplicate(desk: Desk) -> None:
    sale = desk.checkout(amount="5.00", receipt=True)
    assert sale.print_job is not None
    printing.failed(desk.store, sale.print_job, "the printer is out of paper", uncertain=False)
    job = printing.job(desk.store, sale.print_job)
    assert (job.status, job.attempts, job.last_error, job.duplicate) == (
        "pending",
        1,
        "the printer is out of paper",
        False,
    )
    printing.failed(desk.store, sale.print_job, "no answer", uncertain=True)
    assert printing.job(desk.store, sale.print_job).duplicate
    printing.printed(desk.store, sale.print_job)
    assert desk.pending_receipts() == ()
    assert printing.job(desk.store, sale.print_job).status == "printed"


def test_a_reprint_replaces_pending_jobs_of_the_sale_and_says_duplicata(desk: Desk) -> None:
    sale = desk.checkout(amount="5.00", receipt=True)
    reprint = desk.reprint(str(sale.checkout))
    assert reprint.duplicate and reprint.kind == "reprint"
    assert [j.id for j in desk.pending_receipts()] == [reprint.id]
    with pytest.raises(NotFound):
        desk.reprint(999999)
    with pytest.raises(InvalidInput):
        desk.reprint("12; DROP TABLE print_jobs")


def test_each_till_prints_its_own_receipts(db_url: str, clock: Clock) -> None:
    """Two tills with their own printers on one database: a receipt comes out
    at the counter of its sale; one no till asked for, at either."""
    front = make_desk(db_url, clock, till="front")
    back = make_desk(db_url, clock, till="back")
    script = make_desk(db_url, clock)  # no till named: a script's checkout --print
    try:
        front.load_program_file(EXAMPLE_PROGRAM)
        at_front = front.checkout(amount="5.00", receipt=True).print_job
        at_back = back.checkout(amount="6.00", receipt=True).print_job
        by_script = script.checkout(amount="7.00", receipt=True).print_job
        assert [j.id for j in front.pending_receipts()] == [at_front, by_script]
        assert [j.id for j in back.pending_receipts()] == [at_back, by_script]
        assert back.pending_receipts()[0].till == "back"
        sale = front.pending_receipts()[0].checkout
        assert sale is not None
        again = back.reprint(sale)  # asked at the back counter: printed there
        assert again.till == "back" and again.id in [j.id for j in back.pending_receipts()]
        assert again.id not in [j.id for j in front.pending_receipts()]
        assert [j.id for j in script.pending_receipts()] == [by_script]
    finally:
        script.close()
        front.close()
        back.close()
