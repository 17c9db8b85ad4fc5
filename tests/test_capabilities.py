"""What each connector can do is the Protocols it keeps (connectors/base.py), asked with
``isinstance`` / ``issubclass``: no capability flag, no ``getattr`` with a method's name."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from connectors import CALENDAR_CONNECTORS, MAIL_CONNECTORS, SENDERS
from connectors.base import (
    Calendar,
    Closeable,
    Estimates,
    Labels,
    Mailbox,
    ReadsSentMail,
    RemovesLabels,
    ReturnsCorrected,
    Sender,
    WaitsForChanges,
    WatchesCorrections,
)

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = (
    WaitsForChanges,
    Labels,
    RemovesLabels,
    Estimates,
    Closeable,
    ReadsSentMail,
    WatchesCorrections,
    ReturnsCorrected,
)
CORRECTIONS = {WatchesCorrections, ReturnsCorrected}  # every mail connector
EXPECTED: dict[str, set[type]] = {
    "maildir": {Estimates, ReadsSentMail, *CORRECTIONS},
    "imap": {WaitsForChanges, Estimates, Closeable, ReadsSentMail, *CORRECTIONS},
    "gmail": {Labels, RemovesLabels, Estimates, Closeable, ReadsSentMail, *CORRECTIONS},
    "outlook": {Closeable, ReadsSentMail, *CORRECTIONS},
}


def _class(target: str) -> type:
    module, _, name = target.partition(":")
    found = getattr(importlib.import_module(module), name)
    assert isinstance(found, type)
    return found


@pytest.mark.parametrize("name", sorted(MAIL_CONNECTORS))
def test_mail_connectors_keep_the_mailbox_and_their_capabilities(name: str) -> None:
    cls = _class(MAIL_CONNECTORS[name])
    assert issubclass(cls, Mailbox)
    assert {p for p in OPTIONAL if issubclass(cls, p)} == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(CALENDAR_CONNECTORS))
def test_calendar_connectors_read_and_write_and_close(name: str) -> None:
    cls = _class(CALENDAR_CONNECTORS[name])
    assert issubclass(cls, Calendar)
    assert issubclass(cls, Closeable) == (name != "ics")


def test_the_smtp_sender_only_sends() -> None:
    cls = _class(SENDERS["smtp"])
    assert issubclass(cls, Sender) and issubclass(cls, Closeable)
    assert not issubclass(cls, Mailbox)


def _protocol_methods() -> set[str]:
    tree = ast.parse((ROOT / "connectors" / "base.py").read_text(encoding="utf-8"))
    return {
        node.name
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for node in cls.body
        if isinstance(node, ast.FunctionDef)
    }


def test_the_core_never_looks_for_a_connector_method_by_name() -> None:
    methods = _protocol_methods()
    assert {"wait_for_changes", "label_messages", "estimate", "close"} <= methods
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and (
                    node.args[1].value in methods or str(node.args[1].value).startswith("supports_")
                )
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_contracts_hold_no_any() -> None:
    tree = ast.parse((ROOT / "connectors" / "base.py").read_text(encoding="utf-8"))
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert "Any" not in names | imported
