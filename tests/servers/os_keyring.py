"""A real OS keyring for tests: GNOME Keyring's Secret Service on a private D-Bus session.

The keyring library's SecretService backend (the one a Linux desktop uses) talks to it exactly
as it would on a practitioner's machine; nothing is faked. Everything lives under a temporary
HOME: the session bus, the daemon and its keyring files, gone when the test ends.

Debian packages: ``dbus-daemon``, ``dbus-bin`` and ``gnome-keyring`` (installed by ``.ci/run``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

__all__ = ["OsKeyring", "keyring_available"]

_TOOLS = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon")
_SECRETS = "org.freedesktop.secrets"


def keyring_available() -> bool:
    return all(shutil.which(tool) for tool in _TOOLS)


class OsKeyring:
    """A session bus with an unlocked GNOME Keyring on it; :attr:`env` reaches both."""

    def __init__(self, home: Path, password: str = "practice-keyring") -> None:
        self.home = home
        self.password = password
        self.env: dict[str, str] = {}
        self._bus: subprocess.Popen[str] | None = None
        self._daemon: subprocess.Popen[bytes] | None = None

    def start(self) -> OsKeyring:
        missing = [t for t in _TOOLS if not shutil.which(t)]
        if missing:
            raise RuntimeError(
                f"{', '.join(missing)} not installed: apt-get install dbus-daemon dbus-bin "
                "gnome-keyring (done by .ci/run)"
            )
        runtime = self.home / "run"
        runtime.mkdir(parents=True, mode=0o700, exist_ok=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
        }
        env.update(
            HOME=str(self.home),
            XDG_RUNTIME_DIR=str(runtime),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_CONFIG_HOME=str(self.home / "config"),
        )
        self._bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert self._bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = self._bus.stdout.readline().strip()
        self.env = env
        self.unlock()
        return self

    def unlock(self) -> None:
        """Start the keyring daemon, unlocked with the login password (as a desktop login does)."""
        self._daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        assert self._daemon.stdin is not None
        self._daemon.stdin.write(self.password.encode())
        self._daemon.stdin.close()
        deadline = time.monotonic() + 20
        while not self._serving():
            if time.monotonic() > deadline or self._daemon.poll() is not None:
                raise RuntimeError("gnome-keyring-daemon did not come up on the session bus")
            time.sleep(0.05)

    def stop_daemon(self) -> None:
        """Stop the keyring daemon: the Secret Service is then gone from the bus."""
        if self._daemon is not None:
            self._daemon.terminate()
            self._daemon.wait(10)
            self._daemon = None

    def _serving(self) -> bool:
        done = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                f"string:{_SECRETS}",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return done.returncode == 0 and "boolean true" in done.stdout

    def stop(self) -> None:
        self.stop_daemon()
        if self._bus is not None:
            self._bus.terminate()
            self._bus.wait(10)
            self._bus = None
