"""Everything one practice's run needs, built once from its configuration.

Rules, clocks and templates are layered: shipped first, the practice's own folders after
(``[rules] dirs`` and ``[templates] dirs`` in chief.toml). A broken practice rule pack or
clock file is reported (``file:line``) and skipped; the shipped ones still work.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import crash
from bot.clocks.clocks import ClockSet, with_chase_intervals, with_closures
from bot.clocks.files import load_clocks_skipping_broken
from bot.config import Config
from bot.errors import UserError
from bot.keys import keyed_key
from bot.letters.drafting import Drafter
from bot.letters.recipients import OwnAddresses, Recipient, choose_recipient
from bot.locking import exclusive_lock
from bot.mail.message import Message
from bot.register.register import Register, load_practice_register
from bot.resources import shipped_rules, shipped_templates
from bot.rules.engine import RuleSet, load_rules
from bot.rules.learned import shipped_model
from bot.store.crypto import database_key
from bot.store.database import Throwaway, database_url, open_database
from bot.store.models import Mailbox as MailboxRow
from bot.store.models import Practice
from bot.store.presence import (
    check_file_present,
    has_case_log,
    missing_case_log,
    remember_case_log,
)
from bot.store.pseudonyms import Pseudonymiser, load_or_create_key
from connectors.base import Calendar, Closeable, Mailbox, Sender, WaitsForChanges

__all__ = ["Runtime"]

log = logging.getLogger(__name__)


def _hold_the_practice_key(
    session: Session, practice: Practice, check: str, key_path: Path, adopt: bool
) -> None:
    """The practice's rows were written with the pseudonym key ``check`` fingerprints, or
    this is the first process to say which (the update only fills an empty check, so of two
    processes starting together with different keys one wins and the other is refused)."""
    held = practice.pseudonym_check
    if adopt and held != check:
        session.execute(
            update(Practice).where(Practice.id == practice.id).values(pseudonym_check=check)
        )
        log.warning("the pseudonym key in %s is now the practice's key", key_path)
        return
    if held is None:
        session.execute(
            update(Practice)
            .where(Practice.id == practice.id, Practice.pseudonym_check.is_(None))
            .values(pseudonym_check=check)
        )
        held = session.scalar(select(Practice.pseudonym_check).where(Practice.id == practice.id))
    if held != check:
        raise UserError(
            f"{key_path} is not the pseudonym key this practice's case log was written with",
            [
                "every process that serves a practice needs the same key: copy data/pseudonym.key"
                " from the machine that served it first (or from your backup)",
                "if that key is lost for good: `chief doctor --new-pseudonym-key` makes this one"
                " the practice's key (patients seen before are then no longer matched to their"
                " cases by name and date of birth)",
            ],
        )


@dataclass
class Runtime:
    config: Config
    rules: RuleSet
    clocks: ClockSet
    template_dirs: list[Path]
    drafter: Drafter
    engine: Engine
    sessions: sessionmaker[Session]
    pseudonyms: Pseudonymiser
    practice_id: int
    today_override: date | None = None
    _mail: Mailbox | None = None
    _watcher: WaitsForChanges | None = None
    _calendar: Calendar | None = None
    _sender: Sender | None = None
    _register: tuple[tuple[int, int], Register] | None = None
    _throwaway: Throwaway | None = None
    _scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def dry_run(self) -> bool:
        """Planning only: the case log's changes are rolled back at :meth:`close` and nothing is
        written anywhere else (``chief sync --dry-run``)."""
        return self._throwaway is not None

    @classmethod
    def from_config(
        cls,
        config: Config,
        today: date | None = None,
        database: tuple[Engine, sessionmaker[Session]] | None = None,
        new_pseudonym_key: bool = False,
        dry_run: bool = False,
        new_case_log: bool = False,
    ) -> Runtime:
        """Build the practice's run; ``database`` (engine, sessions) is a case log already open
        that the practice shares with others (a worker serving many practices).

        The practice's pseudonym key must be the one its case log was written with (another
        key would match no patient seen before, and open their cases again): a UserError says
        so. ``new_pseudonym_key`` makes the key on this machine the practice's key, for when
        the old one is lost for good.

        A practice that has kept a case log refuses one that is missing, empty or holds no row
        for it (:mod:`bot.store.presence`); ``new_case_log`` starts a new one on purpose.

        ``dry_run``: every change to the case log is thrown away when the runtime closes, and a
        practice with no case log or pseudonym key yet gets temporary ones (nothing is
        created in its folder)."""
        rule_dirs = [shipped_rules(), *(config.resolve(p) for p in config.rules.dirs)]
        model = shipped_model() if config.rules.learned else None
        if model is not None:
            model = model.with_threshold(config.rules.learned_threshold)
        rules = load_rules(rule_dirs, model)
        for problem in rules.problems:
            log.warning("rule problem: %s", problem)
        clock_files = [d / "clocks.yaml" for d in rule_dirs if (d / "clocks.yaml").exists()]
        loaded = load_clocks_skipping_broken(clock_files)
        for problem in loaded.problems:
            log.warning("clock problem: %s", problem)
        for path in loaded.skipped:
            log.warning("clock file %s skipped: its clocks are not used until it is fixed", path)
        clocks = with_chase_intervals(
            loaded.clocks,
            config.chase.intervals(),
            config.chase.calendar,
            origin=f"{config.path}: [chase]",
        )
        clocks = with_closures(clocks, config.practice.school_closures)
        template_dirs = [
            *(config.resolve(p) for p in reversed(config.templates.dirs)),
            shipped_templates(),
        ]
        key = None
        if config.database.encryption == "sqlcipher":
            key = database_key(config.practice.slug, config.resolve(config.database.key_file))
        url = database_url(config.database_url)
        if not new_case_log:
            check_file_present(config.data_path, url)
        scratch = None
        if dry_run and _missing_sqlite_file(url):
            scratch = tempfile.TemporaryDirectory(prefix="chief-dry-run-")
            url = f"sqlite:///{Path(scratch.name) / 'chief.db'}"
        if database is not None and scratch is None:
            engine, sessions = database
        else:
            engine, sessions = open_database(url, key=key)
        throwaway = None
        if dry_run:
            throwaway = Throwaway(engine)
            sessions = throwaway.sessions
        key_path = config.data_path / "pseudonym.key"
        if dry_run and not key_path.exists():
            pseudonyms = Pseudonymiser(secrets.token_bytes(32))
        else:
            pseudonyms = Pseudonymiser(load_or_create_key(key_path))
        check = pseudonyms.key_check
        created = False
        with sessions.begin() as session:
            practice = session.scalar(select(Practice).where(Practice.slug == config.practice.slug))
            if practice is None:
                if has_case_log(config.data_path) and not new_case_log:
                    raise missing_case_log(config.data_path, url, "holds no record of it")
                practice = Practice(
                    slug=config.practice.slug, name=config.practice.name, pseudonym_check=check
                )
                session.add(practice)
                session.flush()
                created = True
            practice_id = practice.id
            if not created:
                _hold_the_practice_key(session, practice, check, key_path, new_pseudonym_key)
        if created:
            crash.step("practice.commit")
        if not dry_run:
            today = today or datetime.now(ZoneInfo(config.practice.timezone)).date()
            remember_case_log(config.data_path, config.practice.slug, today, again=new_case_log)
        return cls(
            config=config,
            rules=rules,
            clocks=clocks,
            template_dirs=template_dirs,
            drafter=Drafter(template_dirs),
            engine=engine,
            sessions=sessions,
            pseudonyms=pseudonyms,
            practice_id=practice_id,
            today_override=today,
            _throwaway=throwaway,
            _scratch=scratch,
        )

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sync_lock(self, wait: bool = False) -> AbstractContextManager[None]:
        """The practice's lock: held by every pass that writes its case log or its mailbox, so
        two runs (cron and a manual ``chief sync``) never overlap. ``wait``: queue behind the
        holder instead of refusing at once."""
        return exclusive_lock(self.config.data_path / "sync.lock", wait=wait)

    def register(self) -> Register | None:
        """The practice's register (``[practice] register_file``), read once per version of
        the file; None when the practice keeps none. A broken file raises UserError (with
        every problem as ``file:line``) each time it is asked for."""
        name = self.config.practice.register_file
        if name is None:
            return None
        path = self.config.resolve(name)
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (0, 0)
        if self._register is None or self._register[0] != stamp:
            register = load_practice_register(path, self.config.reminders.credential_lead_days)
            self._register = (stamp, register)
        return self._register[1]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.practice.timezone)

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.today_override or self.now().date()

    def keyed_key(self, *parts: object) -> str:
        """An idempotency key only this practice can compute (``bot.keys`` KEYED KEYS): for a
        remote object a third party could otherwise claim by carrying its key."""
        return keyed_key(self.pseudonyms.subkey("idempotency keys"), *parts)

    @property
    def practitioner(self) -> tuple[str, str]:
        p = self.config.practice
        return p.practitioner, str(p.email)

    def mail(self) -> Mailbox:
        if self._mail is None:
            self._mail = self._new_mail()
        return self._mail

    def mail_watcher(self) -> WaitsForChanges | None:
        """A second mail connector that only waits for new mail (its own connection, so a
        long IDLE never holds up a sync); None when the connector cannot wait."""
        if self._watcher is None:
            from connectors import load_connector

            name, _ = self.config.connector_args("mail")
            made = load_connector("mail", name)
            if not (isinstance(made, type) and issubclass(made, WaitsForChanges)):
                return None
            watcher = self._new_mail()
            assert isinstance(watcher, WaitsForChanges)
            self._watcher = watcher
        return self._watcher

    def _new_mail(self) -> Mailbox:
        from connectors import load_connector

        name, kwargs = self.config.connector_args("mail")
        connector = load_connector("mail", name)(
            **kwargs,
            practitioner_address=self.config.summary_to,
            limits=self.config.limits.limits(),
        )
        if not isinstance(connector, Mailbox):
            raise UserError(f"the mail connector `{name}` cannot read mail and write drafts")
        return connector

    def calendar(self) -> Calendar:
        if self._calendar is None:
            from connectors import load_connector

            name, kwargs = self.config.connector_args("calendar")
            kwargs.setdefault("tz", self.config.practice.timezone)
            connector = load_connector("calendar", name)(**kwargs)
            if not isinstance(connector, Calendar):
                raise UserError(f"the calendar connector `{name}` cannot read and write events")
            self._calendar = connector
        return self._calendar

    def sender(self) -> Sender:
        """Who delivers the daily summary: the mail connector (into the practitioner's own
        inbox) or, with ``[summary] via = "smtp"``, the SMTP sender. Either refuses any
        recipient but the practitioner."""
        if self.config.summary.via == "mailbox":
            return self.mail()
        if self._sender is None:
            from connectors import load_connector

            name, kwargs = self.config.connector_args("smtp")
            kwargs.setdefault("from_address", str(self.config.practice.email))
            connector = load_connector("smtp", name)(
                **kwargs, practitioner_address=self.config.summary_to
            )
            if not isinstance(connector, Sender):
                raise UserError(f"the summary sender `{name}` cannot deliver mail")
            self._sender = connector
        return self._sender

    def close(self) -> None:
        """Close every connector that holds a connection (IMAP LOGOUT, HTTP sessions); a dry
        run's case log changes are rolled back."""
        held = (self._mail, self._watcher, self._calendar, self._sender)
        self._mail = self._watcher = self._calendar = self._sender = None
        for connector in held:
            if isinstance(connector, Closeable):
                connector.close()
        if self._throwaway is not None:
            self._throwaway.close()
            self._throwaway = None
        if self._scratch is not None:
            self.engine.dispose()  # an engine of its own, on the scratch file
            self._scratch.cleanup()
            self._scratch = None

    def mailbox_id(self, session: Session) -> int:
        name = str(self.config.mail.get("connector", "maildir"))
        row = session.scalar(
            select(MailboxRow).where(
                MailboxRow.practice_id == self.practice_id, MailboxRow.name == name
            )
        )
        if row is None:
            row = MailboxRow(practice_id=self.practice_id, name=name, connector=name)
            session.add(row)
            session.flush()
        return row.id

    def own_addresses(self) -> OwnAddresses:
        """The practice's own addresses and domains (``[practice]``): never a draft's To."""
        p = self.config.practice
        return OwnAddresses.of([str(p.email), *p.own_addresses], p.own_domains)

    def recipient_for(self, message: Message, case_kind: str | None) -> Recipient:
        """Whom a reply to ``message`` goes to (:mod:`bot.letters.recipients`): the party
        directory gives the contact for a sender that reads no replies (an attribute
        ``contact_<case kind>``, else ``contact``)."""

        def directory(addr: str) -> tuple[str | None, str | None]:
            for party in self.rules.parties.lookup(addr.rpartition("@")[2]):
                keys = (f"contact_{case_kind}", "contact") if case_kind else ("contact",)
                contact = next((party.values(k)[0] for k in keys if party.values(k)), None)
                return party.name, contact
            return None, None

        return choose_recipient(message, self.own_addresses(), directory)

    def practice_context(self) -> dict[str, object]:
        p = self.config.practice
        return {
            "name": p.name,
            "practitioner": p.practitioner,
            "credentials": p.credentials,
            "email": str(p.email),
            "phone": p.phone,
            "address": p.address,
            "signature": p.signature,
            "fee_terms": p.fee_terms,
            "npi": p.npi,
            "country": p.country,
        }


def _missing_sqlite_file(url: str) -> bool:
    """A SQLite case log that does not exist yet (a dry run must not create it)."""
    return url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists()
