"""Writing the shop's settings back to its config file (the owner's printer
screen). tomlkit keeps the owner's comments, order and other keys as they
were; the file is replaced in one step, so a crash leaves the old one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .config import PrinterSettings, Settings, default_config_file
from .domain.errors import InvalidInput


def config_path(settings: Settings) -> Path:
    """The file the settings came from, else the user's config file."""
    return settings.config_file or default_config_file()


def save_printer_settings(path: Path, printer: PrinterSettings) -> None:
    """Set the ``[printer]`` table of ``path`` (created if missing); keys
    left empty are removed, everything else in the file is kept."""
    import tomlkit  # only the owner's printer screen writes the file
    import tomlkit.exceptions

    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except (OSError, tomlkit.exceptions.ParseError) as error:
        raise InvalidInput(
            code="invalid_config", phrase="config_not_updated", path=path, detail=str(error)
        ) from None
    table = doc.get("printer")
    if not isinstance(table, dict):
        table = tomlkit.table()
        doc["printer"] = table
    values: dict[str, object] = {
        "url": printer.url,
        "profile": printer.profile,
        "header": list(printer.header),
        "footer": list(printer.footer),
    }
    for key, value in values.items():
        if value:
            table[key] = value
        elif key in table:
            del table[key]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(doc))
            out.flush()
            os.fsync(out.fileno())
        os.replace(scratch, path)
    except OSError as error:
        raise InvalidInput(
            code="invalid_config", phrase="config_not_written", path=path, detail=str(error)
        ) from None


def create_config(path: Path, values: dict[str, str], comments: Sequence[str] = ()) -> None:
    """Write a new config file holding ``values`` under ``comments`` (one
    ``#`` line each); a file already there is left as it is."""
    if path.exists():
        return  # the till's every start: no need for tomlkit then
    import tomlkit

    doc = tomlkit.document()
    for line in comments:
        doc.add(tomlkit.comment(line))
    for key, value in values.items():
        doc[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as out:
            out.write(tomlkit.dumps(doc))
    except FileExistsError:
        return
    except OSError as error:
        raise InvalidInput(
            code="invalid_config", phrase="config_not_written", path=path, detail=str(error)
        ) from None
