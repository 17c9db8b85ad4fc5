"""At-rest encryption of the SQLite case log with SQLCipher (optional).

With ``[database] encryption = "sqlcipher"`` the case log file, its write-ahead log and its
temporary files are encrypted page by page (AES-256, with an HMAC per page), so a copy of the
practice folder (a backup, a synced folder, a lost laptop's disk) shows nothing of the
practice without the key. The key is 32 random bytes, used raw (no passphrase stretching):

- from the OS keyring when an entry ``practice-chief`` / ``database:<practice slug>`` exists
  (``keyring set practice-chief database:<slug>`` with the 64 hex digits), else
- from ``[database] key_file`` (default ``secrets/database.key``), created 0600 on first use
  and refused when others can read it. Keep it out of the folder you back up with the
  database, or the backup carries its own key.

The choice is made before the first run: an existing plain database is not encrypted in place
(README: "Encrypting the case log" shows the one-off conversion with ``sqlcipher_export``).
The driver is the ``sqlcipher3`` package (``pip install 'practice-chief[sqlcipher]'``).
PostgreSQL deployments encrypt at the storage layer instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, cast

from bot.errors import UserError
from bot.file_safety import require_private
from bot.keyring_store import KEYRING_SERVICE, usable_keyring
from bot.store.pseudonyms import load_or_create_key

__all__ = ["Encryption", "database_key", "keying_listener", "sqlcipher_module"]

Encryption = Literal["none", "sqlcipher"]
_HEX_KEY = re.compile(r"[0-9a-f]{64}")


def sqlcipher_module() -> ModuleType:
    """The SQLCipher DB-API module, or a UserError saying how to install it."""
    try:
        import sqlcipher3.dbapi2 as module
    except ImportError as exc:
        raise UserError(
            '[database] encryption = "sqlcipher" needs the SQLCipher driver',
            ["python -m pip install 'practice-chief[sqlcipher]'"],
        ) from exc
    return cast(ModuleType, module)


def database_key(slug: str, key_file: Path) -> bytes:
    """The practice's database key: the OS keyring's entry if there is one, else ``key_file``
    (created 0600 when missing; refused when others can read it)."""
    ring = usable_keyring()
    if ring is not None:
        try:
            stored = ring.get_password(KEYRING_SERVICE, f"database:{slug}")
        except Exception:  # a locked or refusing keyring: fall back to the file
            stored = None
        if stored:
            text = stored.strip().lower()
            if not _HEX_KEY.fullmatch(text):
                raise UserError(
                    f"the OS keyring's entry {KEYRING_SERVICE} database:{slug} is not a "
                    "database key",
                    ["store 64 hex digits (32 random bytes), e.g. from `openssl rand -hex 32`"],
                )
            return bytes.fromhex(text)
    require_private(key_file, "database key")
    try:
        key = load_or_create_key(key_file)
    except ValueError as exc:
        raise UserError(
            f"database key {key_file} is not 64 hex digits",
            ["restore the key file from where you keep it safe"],
        ) from exc
    if len(key) != 32:
        raise UserError(f"database key {key_file} is not 32 bytes (64 hex digits)")
    return key


def keying_listener(key: bytes, where: str) -> Any:
    """A ``connect`` event listener giving each new connection the key before anything else
    reads the file, and turning a wrong key into a UserError naming ``where``."""
    pragma = f"PRAGMA key = \"x'{key.hex()}'\""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(pragma)
            try:
                cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except Exception as exc:  # sqlcipher3's DatabaseError: "file is not a database"
                raise UserError(
                    f"the case log {where} cannot be opened with its key",
                    [
                        "check [database] key_file (or the keyring entry) is the key this "
                        "database was created with",
                        "a database created without encryption is not encrypted in place: "
                        "see the README's 'Encrypting the case log'",
                    ],
                ) from exc
        finally:
            cursor.close()

    return on_connect
