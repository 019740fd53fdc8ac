"""Import customers from a CSV file: how a shop moves its paper cards in.

All or nothing: every line is checked first, and one bad line imports no
line at all, so the owner fixes the file and runs the import again without
wondering which customers are already in.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from ..domain.card_numbers import new_card_number
from ..domain.errors import InvalidInput
from ..domain.marketing import NONE, Consent, at_enrolment
from ..domain.validate import (
    clean_birthday,
    clean_email,
    clean_name,
    clean_phone,
    clean_reason,
    clean_time,
    name_key,
)
from ..models import cards, customers, ledger, name_words
from ..results import Result
from ..store import Store
from .cards import name_word_rows
from .stamps import ledger_row

COLUMNS = ("name", "email", "phone", "stamps", "birthday", "notes", "marketing", "marketing_at")
# Headers people write for the same column (Excel users, French shops).
ALIASES = {
    "e-mail": "email",
    "mail": "email",
    "telephone": "phone",
    "tel": "phone",
    "marketingat": "marketing_at",
}
# What a ``marketing`` cell may say: a plain yes or no, in English or French.
MARKETING_YES = frozenset({"yes", "oui", "true", "1"})
MARKETING_NO = frozenset({"", "no", "non", "false", "0"})
SHOWN_ERRORS = 20
BATCH = 1000  # rows per executemany, and how often progress is reported


@dataclass(frozen=True)
class ImportReport(Result):
    """What an import created: one card per line, in file order."""

    imported: int
    cards: tuple[str, ...]


# A bad line of the file: its number and what is wrong with it.
LineProblem = tuple[int, InvalidInput]


class InvalidImport(InvalidInput):
    """A file with bad lines: ``problems`` holds every one (its line and its
    error, to say in any language), ``errors`` the same in English ("line 7:
    …"); the message (one line, for the CLI and the API) shows the first ones."""

    def __init__(self, problems: list[LineProblem]) -> None:
        self.problems = tuple(problems)
        self.errors = tuple(f"line {line}: {problem.message}" for line, problem in problems)
        shown = self.problems[:SHOWN_ERRORS]  # said line by line in the reader's language
        count = len(self.errors)
        if count == 1:
            super().__init__(code="invalid_import", phrase="import_refused_one", shown=shown)
        elif count <= SHOWN_ERRORS:
            super().__init__(code="invalid_import", phrase="import_refused", count=count, shown=shown)
        else:
            more = count - SHOWN_ERRORS
            super().__init__(
                code="invalid_import", phrase="import_refused_more", count=count, shown=shown, more=more
            )


@dataclass(frozen=True)
class _Line:
    number: int  # in the file, the header being line 1
    name: str
    email: str | None
    phone: str | None
    stamps: int
    birthday: date | None
    notes: str | None
    marketing: Consent = NONE


def import_customers(
    store: Store, path: str | Path, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Create a customer and a card for every line of the CSV file ``path``.

    The first line names the columns: ``name`` (required), ``email``,
    ``phone``, ``stamps`` (the paper card's current stamps, from 0 to
    ``stamps_per_card`` - 1), ``birthday`` (YYYY-MM-DD) and ``notes``; other
    columns are refused, so a misspelt header cannot silently drop a column.
    UTF-8 with or without a BOM, comma or semicolon separated (French Excel
    writes semicolons). Empty lines are skipped.

    Each line is checked with the same rules as enrolment; an e-mail that
    appears twice in the file or is already enrolled (ignoring case) is an
    error. If any line
    is wrong, ``InvalidImport`` (an ``InvalidInput`` with code
    ``invalid_import``) names every bad line and nothing is written.

    Imported stamps are written to the ledger as one ``import`` row per card
    (cycle 0) and issue no coupons: the rewards of milestones the paper card
    already passed were handed out on paper. Consent is recorded as given now,
    when the shop moves the card in.

    Everything is written in one transaction with bulk inserts; on SQLite the
    tills wait for it (about a second for 10,000 lines). ``progress(done,
    total)`` is called as lines are written.
    """
    header, rows = _read(Path(path))
    now = store.now()
    today = now.astimezone(store.zone).date()
    with store.write() as conn:
        _, program = store.current_program(conn)
        lines, errors = _check_lines(header, rows, today, program.stamps_per_card, store, now)
        errors.extend(_enrolled_emails(conn, lines))
        if errors:
            errors.sort(key=lambda problem: problem[0])
            raise InvalidImport(errors)
        total = len(lines)
        if progress is not None:
            progress(0, total)
        numbers = _free_numbers(conn, store.settings.card_prefix, total)
        for start in range(0, total, BATCH):
            chunk = lines[start : start + BATCH]
            customer_ids = (
                conn.execute(
                    insert(customers).returning(customers.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "name": line.name,
                            "name_key": name_key(line.name),
                            "email": line.email,
                            "phone": line.phone,
                            "birthday": line.birthday,
                            "notes": line.notes,
                            "consent_at": now,
                            "created_at": now,
                            "channel": "import",
                            **line.marketing.columns(),
                        }
                        for line in chunk
                    ],
                )
                .scalars()
                .all()
            )
            # Search finds a customer by any word of the name, as after enrolment.
            words = [
                row
                for line, customer_id in zip(chunk, customer_ids, strict=True)
                for row in name_word_rows(customer_id, line.name)
            ]
            if words:
                conn.execute(insert(name_words), words)
            card_ids = (
                conn.execute(
                    insert(cards).returning(cards.c.id, sort_by_parameter_order=True),
                    [
                        {
                            "number": number,
                            "customer_id": customer_id,
                            "balance": line.stamps,
                            "cycle": 0,
                            "created_at": now,
                            "last_visit_at": now,  # the lapse of imported stamps counts from here
                        }
                        for line, customer_id, number in zip(
                            chunk, customer_ids, numbers[start : start + BATCH], strict=True
                        )
                    ],
                )
                .scalars()
                .all()
            )
            stamped = [
                ledger_row(card_id, now, "import", line.stamps, reason="paper card")
                for line, card_id in zip(chunk, card_ids, strict=True)
                if line.stamps > 0
            ]
            if stamped:
                conn.execute(insert(ledger), stamped)
            if progress is not None:
                progress(start + len(chunk), total)
    return ImportReport(len(lines), tuple(numbers))


def _read(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The normalised header and the non-empty rows with their line numbers."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(code="invalid_import", phrase="import_no_file", path=str(path)) from None
    except IsADirectoryError:
        raise InvalidInput(code="invalid_import", phrase="import_folder", path=str(path)) from None
    except OSError as exc:
        raise InvalidInput(
            code="invalid_import", phrase="import_unreadable", path=str(path), detail=str(exc.strerror or exc)
        ) from None
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            code="invalid_import", phrase="import_not_utf8", file=path.name, line=line
        ) from None
    if not text.strip():
        raise InvalidInput(code="invalid_import", phrase="import_empty", file=path.name)
    first = text.lstrip("\r\n").splitlines()[0]
    # The header decides: French Excel writes ';', most other tools ','.
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    records = _records(reader)
    header_line, header_fields = next(records, (0, []))
    header = [_column(h) for h in header_fields]
    if "name" not in header:
        found = ", ".join(repr(h) for h in header_fields if h.strip())
        if not found:
            raise InvalidInput(
                code="invalid_import", phrase="import_blank_header", file=path.name, line=header_line
            )
        raise InvalidInput(
            code="invalid_import", phrase="import_no_header", file=path.name, line=header_line, found=found
        )
    for column in header:
        if column not in COLUMNS:
            raise InvalidInput(
                code="invalid_import",
                phrase="import_unknown_column",
                file=path.name,
                column=column,
                known=", ".join(COLUMNS),
            )
        if header.count(column) > 1:
            raise InvalidInput(
                code="invalid_import", phrase="import_column_twice", file=path.name, column=column
            )
    rows = list(records)
    if not rows:
        raise InvalidInput(code="invalid_import", phrase="import_no_lines", file=path.name)
    return header, rows


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Non-empty CSV records with the line each starts on (a quoted field may
    span lines, so the reader's own count is where a record ends)."""
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(
                code="invalid_import", phrase="import_bad_csv", line=reader.line_num, detail=str(exc)
            ) from None
        start, line = line, reader.line_num + 1
        if any(f.strip() for f in fields):  # Excel leaves ';;;;' lines behind
            yield start, fields


def _column(header: str) -> str:
    column = name_key(header.strip()).replace(" ", "").replace("_", "")
    return ALIASES.get(column, column)


def _check_lines(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    today: date,
    stamps_per_card: int,
    store: Store,
    now: datetime,
) -> tuple[list[_Line], list[LineProblem]]:
    lines: list[_Line] = []
    errors: list[LineProblem] = []
    first_seen: dict[str, int] = {}
    for number, fields in rows:
        if len(fields) > len(header):
            too_many = _problem("import_too_many_fields", count=len(fields), expected=len(header))
            errors.append((number, too_many))
            continue
        values = dict(zip(header, fields, strict=False))  # missing trailing fields are empty
        problems: list[InvalidInput] = []
        name = _try(problems, clean_name, values.get("name", ""))
        email = _try(problems, clean_email, values.get("email"))
        phone = _try(problems, clean_phone, values.get("phone"))
        birthday = _try(problems, clean_birthday, values.get("birthday"), today)
        notes_text = (values.get("notes") or "").strip()
        notes = _try(problems, clean_reason, notes_text, "notes") if notes_text else None
        stamps = _stamps(values.get("stamps"), stamps_per_card, problems)
        consent = _marketing(values, email, store, now, problems)
        if email is not None:
            key = email.casefold()
            if key in first_seen:
                problems.append(_problem("import_email_twice", email=email, first=first_seen[key]))
            else:
                first_seen[key] = number
        if problems:
            errors.extend((number, p) for p in problems)
        else:
            lines.append(_Line(number, name, email, phone, stamps, birthday, notes, consent))
    return lines, errors


def _problem(phrase: str, **params: Any) -> InvalidInput:
    """What is wrong with a line (``error.<phrase>``), for ``InvalidImport``."""
    return InvalidInput(code="invalid_import", phrase=phrase, **params)


def _try(problems: list[InvalidInput], check: Callable[..., Any], *args: Any) -> Any:
    """``check(*args)``, or None with its error added to ``problems``."""
    try:
        return check(*args)
    except InvalidInput as exc:
        problems.append(exc)
        return None


def _stamps(value: str | None, stamps_per_card: int, problems: list[InvalidInput]) -> int:
    text = (value or "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()) or int(text) >= stamps_per_card:
        # A full paper card is a reward to hand over, not stamps to carry in.
        problems.append(_problem("import_stamps", highest=stamps_per_card - 1, value=text[:20]))
        return 0
    return int(text)


def _marketing(
    values: dict[str, str], email: str | None, store: Store, now: datetime, problems: list[InvalidInput]
) -> Consent:
    """A line's consent to marketing e-mails: off unless it says yes, with
    the day it was given and an e-mail to send to."""
    said = (values.get("marketing") or "").strip()
    if said.lower() in MARKETING_NO:
        return NONE
    if said.lower() not in MARKETING_YES:
        problems.append(_problem("import_marketing", value=said[:20]))
        return NONE
    when = (values.get("marketing_at") or "").strip()
    if not when:
        problems.append(_problem("import_marketing_needs_date"))
        return NONE
    try:
        if len(when) == 10:  # a day: its start, in the shop's time zone
            day = date.fromisoformat(when)
            moment = clean_time(datetime.combine(day, time(), store.zone), now)
        else:
            moment = clean_time(when, now)
    except (ValueError, InvalidInput):
        problems.append(_problem("import_marketing_date", value=when[:40]))
        return NONE
    if email is None:
        problems.append(_problem("import_marketing_needs_email"))
        return NONE
    return at_enrolment(True, source="import", email=email, at=moment)


def _enrolled_emails(conn: Connection, lines: list[_Line]) -> list[LineProblem]:
    """Errors for e-mails already enrolled (compared without case, as people
    do not tell Ana@… from ana@…)."""
    wanted = {line.email.casefold(): line for line in lines if line.email}
    if not wanted:
        return []
    errors: list[LineProblem] = []
    rows = conn.execute(
        select(customers.c.email).where(customers.c.email.is_not(None), customers.c.erased_at.is_(None))
    )
    for (email,) in rows:
        line = wanted.get(email.casefold())
        if line is not None:
            errors.append((line.number, _problem("import_email_enrolled", email=line.email)))
    return errors


def _free_numbers(conn: Connection, prefix: str, count: int) -> list[str]:
    """``count`` new card numbers, unique among themselves and in the database."""
    numbers: list[str] = []
    seen: set[str] = set()
    while len(numbers) < count:
        fresh: list[str] = []
        while len(numbers) + len(fresh) < count:
            number = new_card_number(prefix)
            if number not in seen:
                seen.add(number)
                fresh.append(number)
        taken: set[str] = set()
        for start in range(0, len(fresh), BATCH):
            chunk = fresh[start : start + BATCH]
            taken.update(conn.execute(select(cards.c.number).where(cards.c.number.in_(chunk))).scalars())
        numbers.extend(n for n in fresh if n not in taken)
    return numbers
