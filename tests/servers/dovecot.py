"""A throw-away Dovecot IMAP server on 127.0.0.1, for tests and benchmarks.

Plain code, no pytest: ``tests/fixtures_dovecot.py`` wraps it in fixtures and
``bench/imap_sync.py`` uses it directly. The recipe is the verified one from
``../shared/servers/README.md``: a ``dovecot.conf`` that reads nothing from ``/etc/dovecot``,
a passwd-file with ``{PLAIN}`` passwords, Maildir storage, and every process running as an
ordinary user (Dovecot's login process refuses root). When we run as root that user is
``chiefci`` (created with ``useradd -m`` if missing) and the processes are started with
``subprocess``'s ``user=``/``group=``; otherwise Dovecot runs as ourselves.

Two test aids are switched on: ``verbose_proctitle`` (each ``imap`` process names the user it
serves, so a test can kill one session's process) and a per-user raw protocol log
(``rawlog_dir``; Dovecot writes it only when the directory exists, see :meth:`enable_rawlog`),
so a test can count the commands the server really received.

The personal namespace, the folders every account starts with and the capabilities announced
are options, so the same server can also behave as Cyrus and Courier do (every folder under
``INBOX.`` with a ``.`` separator; no SPECIAL-USE; no UNSELECT): see :class:`Dovecot`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import imapclient

__all__ = ["SERVICE_USER", "Dovecot", "DovecotUser", "dovecot_binary", "free_port", "seed"]

SERVICE_USER = "chiefci"
HOST = "127.0.0.1"
# The folders an account starts with, each with its RFC 6154 role (None: no role).
STANDARD_FOLDERS: Mapping[str, str | None] = {"Drafts": "\\Drafts", "Sent": "\\Sent"}

_CONF = """\
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = {host}
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth_mechanisms}
auth_verbose = yes
verbose_proctitle = yes
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd.d/%u
}}
{oauth_passdb}userdb {{
  driver = static
  args = uid={user} gid={group} home={d}/mail/%u
}}
protocol imap {{
  rawlog_dir = {d}/rawlog/%u
{capability}}}
namespace inbox {{
  inbox = yes
  prefix = {prefix}
  separator = {separator}
{mailboxes}}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No auth penalty (growing delays for this IP after a refused sign-in), so one
  # wrong-password test does not slow the later ones; auth_failure_delay (2 s) still applies.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def dovecot_binary() -> str | None:
    """Path of the ``dovecot`` master binary, or None when Dovecot is not installed."""
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _service_account() -> tuple[str, int, int]:
    """(name, uid, gid) Dovecot runs as: ``chiefci`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, entry.pw_uid, entry.pw_gid
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "-m", SERVICE_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_name, entry.pw_uid, entry.pw_gid


@dataclass(frozen=True)
class DovecotUser:
    """One mail account on the server."""

    host: str
    port: int
    username: str
    password: str
    mail_dir: Path  # the account's Maildir++ root on disk

    def client(self, timeout: float = 10.0) -> imapclient.IMAPClient:
        """A second, independent IMAP session (the user's own mail client, say)."""
        client = imapclient.IMAPClient(self.host, self.port, ssl=False, timeout=timeout)
        client.login(self.username, self.password)
        return client


class Dovecot:
    """One Dovecot master process on 127.0.0.1, with its own directory and port."""

    def __init__(
        self,
        root: Path | None = None,
        port: int | None = None,
        tls: tuple[Path, Path] | None = None,
        oauth2_introspection_url: str | None = None,
        prefix: str = "",
        separator: str = "/",
        folders: Mapping[str, str | None] = STANDARD_FOLDERS,
        special_use: bool = True,
        capability: str | None = None,
    ) -> None:
        """``tls`` (certificate chain, key: PEM files) adds an implicit-TLS listener on
        :attr:`tls_port` and STARTTLS on the plain one; ``oauth2_introspection_url`` lets
        accounts sign in with AUTHENTICATE XOAUTH2, each token checked by an RFC 7662 POST
        to that URL (whose answer names the user in ``username``).

        ``prefix`` and ``separator`` make the personal namespace (RFC 2342): ``"INBOX."`` and
        ``"."`` as Cyrus and Courier have it. ``folders`` (name below the prefix → RFC 6154
        role or None) are created in every account; with ``special_use`` False no folder is
        given its role. ``capability`` replaces what the server announces after sign-in
        (Dovecot's ``imap_capability``; a leading ``+`` adds to it instead)."""
        binary = dovecot_binary()
        if binary is None:
            raise FileNotFoundError(
                "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
            )
        self.binary = binary
        self.user, self.uid, self.gid = _service_account()
        self.root = Path(root or tempfile.mkdtemp(prefix="chief-dovecot-"))
        self.host = HOST
        self.port = port or free_port()
        self.tls_port = free_port() if tls else 0
        self._process: subprocess.Popen[bytes] | None = None
        for sub in ("run", "state", "mail", "rawlog", "passwd.d"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.passwd = self.root / "passwd.d"
        self.conf = self.root / "dovecot.conf"
        group = _group_name(self.gid)
        ssl_lines = "ssl = no"
        if tls:
            for name, source in zip(("cert.pem", "key.pem"), tls, strict=True):
                shutil.copyfile(source, self.root / name)
            ssl_lines = (
                f"ssl = yes\nssl_cert = <{self.root}/cert.pem\nssl_key = <{self.root}/key.pem"
            )
        oauth_mechanisms = oauth_passdb = ""
        if oauth2_introspection_url:
            (self.root / "oauth2.conf.ext").write_text(
                "introspection_mode = post\n"
                f"introspection_url = {oauth2_introspection_url}\n"
                "username_attribute = username\n"
                "active_attribute = active\n"
                "active_value = true\n"
            )
            oauth_mechanisms = " xoauth2 oauthbearer"
            oauth_passdb = (
                "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                f"  args = {self.root}/oauth2.conf.ext\n}}\n"
            )
        boxes = "".join(
            f'  mailbox "{name}" {{\n    auto = subscribe\n'
            + (f"    special_use = {role}\n" if role and special_use else "")
            + "  }\n"
            for name, role in folders.items()
        )
        self.conf.write_text(
            _CONF.format(
                prefix=prefix,
                separator=separator,
                mailboxes=boxes,
                capability=f"  imap_capability = {capability}\n" if capability else "",
                d=self.root,
                host=self.host,
                port=self.port,
                tls_port=self.tls_port,
                user=self.user,
                group=group,
                ssl=ssl_lines,
                oauth_mechanisms=oauth_mechanisms,
                oauth_passdb=oauth_passdb,
            )
        )
        self._chown_tree(self.root)
        self._users: dict[str, DovecotUser] = {}

    # --- process ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start the master in the foreground (``-F``) and wait until it greets a client."""
        if self.running:
            return
        self._process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            **self._as_service_user(),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read() if self._process.stderr else b""
                raise RuntimeError(
                    f"dovecot exited ({self._process.returncode}): {err.decode(errors='replace')}"
                    f"\n{self.log_text()[-2000:]}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as conn:
                    if conn.recv(64).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on {self.host}:{self.port} within {timeout}s")

    def stop(self, timeout: float = 15.0) -> None:
        """Shut the server down as an administrator would: SIGTERM to the master and every
        process it started (its own process group), so open sessions end too (Dovecot's
        ``imap`` processes say ``BYE`` and exit), then wait for them all."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
        deadline = time.monotonic() + timeout
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
        if process.stderr:
            process.stderr.close()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- accounts ---------------------------------------------------------------------------

    def add_user(self, username: str, password: str) -> DovecotUser:
        """Add an account: one passwd-file per user (``passwd.d/USER``), so a new account is
        seen at once (Dovecot re-checks a passwd-file it has loaded at most once a second)."""
        if not username.replace("-", "").replace("_", "").isalnum() or ":" in password:
            raise ValueError("user names are letters, digits, - and _; no ':' in passwords")
        path = self.passwd / username
        path.write_text(f"{username}:{{PLAIN}}{password}\n")
        if os.geteuid() == 0:
            os.chown(path, self.uid, self.gid)
        user = DovecotUser(self.host, self.port, username, password, self.root / "mail" / username)
        self._users[username] = user
        return user

    def enable_rawlog(self, username: str) -> Path:
        """Make Dovecot record every later session of ``username`` (``*.in`` / ``*.out``)."""
        path = self.root / "rawlog" / username
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, self.uid, self.gid)
        return path

    def session_pids(self, username: str) -> list[int]:
        """PIDs of the ``imap`` processes serving ``username`` (from their process titles)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("dovecot/imap ") and f"[{username} " in title:
                found.append(int(entry.name))
        return found

    def kill_sessions(self, username: str, wait: float = 5.0) -> int:
        """SIGKILL the ``imap`` processes serving ``username`` (a dropped connection, as the
        client sees it) and wait until they are gone; how many there were."""
        pids = self.session_pids(username)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + wait
        while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.005)
        return len(pids)

    def doveadm(self, *args: str) -> str:
        """Run ``doveadm`` against this server's configuration (as the service user)."""
        done = subprocess.run(
            ["doveadm", "-c", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=30,
            **self._as_service_user(),
        )
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} failed: {done.stderr.strip()}")
        return str(done.stdout)

    def set_uidvalidity(self, username: str, folder: str, value: int) -> None:
        """Give ``folder`` a new UIDVALIDITY, as a server does after rebuilding its index."""
        self.doveadm("mailbox", "update", "-u", username, "--uid-validity", str(value), folder)

    def log_text(self) -> str:
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _as_service_user(self) -> dict[str, Any]:
        """Popen arguments that drop root for the service user. (Not ``runuser``: it waits
        2 s after forwarding SIGTERM, which made every stop take 2 s.)"""
        if os.geteuid() != 0:
            return {}
        home = pwd.getpwuid(self.uid).pw_dir
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "HOME": home}
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "env": env}

    def _chown_tree(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        os.chown(path, self.uid, self.gid)
        for dirpath, dirnames, filenames in os.walk(path):
            for name in (*dirnames, *filenames):
                os.chown(os.path.join(dirpath, name), self.uid, self.gid)


def _group_alive(pgid: int) -> bool:
    """Whether any live (not zombie) process is left in process group ``pgid``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def seed(
    user: DovecotUser,
    messages: Iterable[bytes],
    folder: str = "INBOX",
    chunk: int = 500,
    flags: Sequence[bytes] = (),
) -> int:
    """Append ``messages`` to ``folder`` through a separate session, MULTIAPPEND (RFC 3502) in
    chunks of ``chunk``; the folder is created when missing. Returns how many were added."""
    added = 0
    with user.client(timeout=120) as client:
        if folder != "INBOX" and not client.folder_exists(folder):
            client.create_folder(folder)
        if not client.has_capability("MULTIAPPEND"):  # a server configured without it
            for raw in messages:
                client.append(folder, raw, flags=tuple(flags))
                added += 1
            return added
        batch: list[bytes | dict[str, object]] = []
        for raw in messages:
            batch.append({"msg": raw, "flags": list(flags)} if flags else raw)
            if len(batch) >= chunk:
                client.multiappend(folder, batch)
                added += len(batch)
                batch = []
        if batch:
            client.multiappend(folder, batch)
            added += len(batch)
    return added
