"""The mail server the customer e-mails go through (SMTP, ``[mail]``).

A message is handed over in steps (MAIL FROM, RCPT TO, DATA) so that a
failure says whether the server may hold the message:

- before DATA's end, a refusal with a 4xx code or a lost connection means
  it does not: ``Temporary`` (send it again later);
- a 5xx refusal is final for that address: ``Permanent``;
- a connection lost while the message itself was going: the server may
  have queued it, so it is ``Uncertain`` and never sent again (at most once).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr

from ..config import MailSettings
from ..domain.errors import Refused

TIMEOUT_S = 30.0


class MailFailure(Exception):
    """A message the server did not take; ``detail`` says what it answered."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail[:200]


class Temporary(MailFailure):
    """Not taken this time (4xx, connection refused or lost before the message)."""


class Permanent(MailFailure):
    """Refused for good for this address (5xx)."""


class Uncertain(MailFailure):
    """The connection broke while the message went: it may have been taken."""


class ServerDown(MailFailure):
    """No mail server to talk to: nothing was handed over."""


def envelope_sender(settings: MailSettings) -> str:
    """The bare address of ``from`` ("cafe@example.org")."""
    return parseaddr(settings.sender)[1] or settings.sender


def password(settings: MailSettings, env: dict[str, str] | None = None) -> str | None:
    """The password of ``[mail]`` (from its ``password_env`` variable), if it uses one."""
    if settings.password_env is None:
        return None
    value = (os.environ if env is None else env).get(settings.password_env)
    if not value:
        raise Refused(code="mail_password_missing", variable=settings.password_env)
    return value


def _reply(error: BaseException) -> tuple[int | None, str]:
    code = getattr(error, "smtp_code", None)
    text = getattr(error, "smtp_error", b"")
    said = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return (int(code) if code is not None else None), f"{code} {said}".strip()


def _refusal(code: int | None, detail: str) -> MailFailure:
    if code is not None and 500 <= code < 600:
        return Permanent(detail)
    return Temporary(detail)


class MailServer:
    """One connection to the shop's mail server, opened once per run."""

    def __init__(self, settings: MailSettings, secret: str | None, timeout: float = TIMEOUT_S) -> None:
        self.settings = settings
        self._secret = secret
        self._timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (and secure, and log in): ``ServerDown`` when it cannot."""
        s = self.settings
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self._timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self._timeout)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo_or_helo_if_needed()
            if s.user is not None and self._secret is not None:
                smtp.login(s.user, self._secret)
        except (OSError, smtplib.SMTPException) as error:
            raise ServerDown(f"{s.host}:{s.port}: {error}") from error
        self._smtp = smtp

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Hand ``message`` over for ``recipient``, or raise a ``MailFailure``."""
        smtp = self._smtp
        if smtp is None:
            raise Temporary("not connected")
        sender = envelope_sender(self.settings)
        try:
            code, said = smtp.mail(sender)
            if code != 250:
                self._reset()
                raise _refusal(code, f"MAIL FROM: {code} {said.decode(errors='replace')}")
            code, said = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _refusal(code, f"RCPT TO: {code} {said.decode(errors='replace')}")
        except smtplib.SMTPServerDisconnected as error:
            self._smtp = None
            raise Temporary(f"connection lost: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise Temporary(str(error)) from error
        try:
            smtp.data(message.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPDataError as error:
            # The server answered: it refused the message, it holds nothing.
            self._reset()
            raise _refusal(*_reply(error)) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise Uncertain(f"lost_during_data: {error}") from error

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    @property
    def connected(self) -> bool:
        return self._smtp is not None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self._drop()
