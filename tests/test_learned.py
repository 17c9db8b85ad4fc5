"""The learned layer behind the rules: what the model may and may not do on its own.

A referral written the way GPs write (no "DOB" line, so no referral rule fires) must still get
its case and acknowledgement draft on a new practice's embedded default, marked as the
model's work; a doubtful message must reach "Needs a look" and set nothing off; the shipped
model must be the versioned file trained from the repository's corpora.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.mail.mime import parse_message
from bot.resources import shipped_rules
from bot.rules.classification import UNCLASSIFIED, Classification
from bot.rules.engine import load_rules
from bot.rules.learned import Guess, TextModel, message_features, shipped_model
from bot.rules.second_opinion import weigh
from bot.store.models import Case, Draft, MessageRow
from bot.summary.case_detail import case_detail, format_case_detail
from bot.summary.job import summary_text
from bot.sync.audit import audit_trail
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message

ROOT = Path(__file__).resolve().parent.parent

GP_LETTER = """\
Dear Colleague,

Re: Mrs Odile Marchbank, 46 years

I would be grateful if you could assess this lady, who has had increasing difficulty with
washing, dressing and preparing meals since a wrist fracture in the spring. She lives alone.

Past history includes hypertension. She is keen to stay independent at home.

Yours sincerely,
Dr Felix Arkwright
Larchmere Surgery
"""


def _model() -> TextModel:
    model = shipped_model()
    assert model is not None, "model/classifier.bin missing: python bench/train_model.py"
    return model


def test_shipped_model_is_small_versioned_and_traced_to_its_data() -> None:
    """The file ships in the package, names its version and its training data's hash, and is
    small enough to load on every command."""
    path = ROOT / "model" / "classifier.bin"
    assert path.stat().st_size < 2 * 1024 * 1024
    model = _model()
    assert model.version and len(model.data_sha256) == 64
    assert int(str(model.header["messages"])) >= 1000
    assert "" in model.labels and "referral/referral" in model.labels
    assert 0 < model.look < model.threshold < model.disagree <= 1


def test_a_damaged_model_file_is_refused_not_misread() -> None:
    blob = (ROOT / "model" / "classifier.bin").read_bytes()
    with pytest.raises(ValueError, match="model"):
        TextModel.from_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match="format"):
        TextModel.from_bytes(b'{"format": "other"}\n' + blob.partition(b"\n")[2])


def test_features_never_carry_a_number_or_a_name_the_model_could_memorise() -> None:
    """Digits become their length, so two references of one shape are the same feature."""
    one = message_features(parse_message(make_message("<a@x>", "Claim 12345678"), "a"))
    two = message_features(parse_message(make_message("<a@x>", "Claim 87654321"), "a"))
    assert one == two


def test_referral_without_dob_gets_its_case_and_acknowledgement(
    practice_dir: Callable[..., Path],
) -> None:
    """Through a real sync on the embedded default (Maildir, .ics, SQLite), shipped packs."""
    home = practice_dir()
    raw = make_message(
        "<gp-1@larchmere.test>",
        "Referral: Mrs Odile Marchbank - OT assessment",
        GP_LETTER,
        "Larchmere Surgery <admin@larchmere-surgery.test>",
    )
    assert load_rules([shipped_rules()]).classify(parse_message(raw, "x")).category is None
    deliver(home, "gp-1", raw)
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    report = sync(rt)
    assert report.by_source["model"] == 1
    with rt.sessions() as session:
        row = session.scalars(select(MessageRow)).one()
        assert (row.category, row.source, row.needs_look) == ("referral", "model", None)
        assert row.rule_id == "model:referral.referral.new"
        assert row.confidence is not None and row.confidence >= _model().threshold
        case = session.scalars(select(Case)).one()
        assert case.kind == "referral" and case.status == "new"
        templates = {d.template for d in session.scalars(select(Draft))}
        assert "referral/referral_ack.j2" in templates
        case_id = case.id
    detail = case_detail(rt, str(case_id))
    assert detail["events"][0]["source"] == "model"
    assert "recognised by the learned model" in format_case_detail(detail)
    written = list((home / "Maildir" / ".Drafts" / "cur").iterdir())
    assert written, "the acknowledgement was not written to Drafts"
    drafts_audited = [e for e in audit_trail(rt) if e.action == "draft.create"]
    assert drafts_audited and all(e.rule == "model:referral.referral.new" for e in drafts_audited)


def test_low_confidence_goes_to_needs_a_look_and_sets_nothing_off(
    practice_dir: Callable[..., Path],
) -> None:
    """A guess below the threshold is kept, and the message opens no case and no draft."""
    model = _model()
    unsure = Guess("referral", "referral", 0.5, {"referral": 0.5, "": 0.3, "payer": 0.2})
    result = weigh(UNCLASSIFIED, unsure, model, lambda c, k: Classification(category=c))
    assert result.needs_look == "low_confidence" and result.category is None
    assert result.guess is unsure
    sure_none = Guess(None, None, 0.95, {"": 0.95, "referral": 0.05})
    assert weigh(UNCLASSIFIED, sure_none, model, lambda c, k: None).needs_look is None

    # A practice that wants every model-only message looked at first: the same GP letter.
    home = practice_dir(extra_toml="[rules]\nlearned_threshold = 1.0\n")
    deliver(
        home,
        "gp-3",
        make_message(
            "<gp-3@larchmere.test>",
            "Referral: Mrs Odile Marchbank - OT assessment",
            GP_LETTER,
            "Larchmere Surgery <admin@larchmere-surgery.test>",
        ),
    )
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    report = sync(rt)
    assert report.needs_look == 1
    with rt.sessions() as session:
        row = session.scalars(select(MessageRow)).one()
        assert (row.needs_look, row.category, row.source) == ("low_confidence", None, None)
        assert (row.guess_category, row.guess_case_kind) == ("referral", "referral")
        assert row.guess_confidence is not None and row.guess_confidence > 0.5
        assert row.case_id is None
        assert session.scalars(select(Case)).all() == []
        assert session.scalars(select(Draft)).all() == []
    text = summary_text(rt)
    assert "NEEDS A LOOK (1)" in text
    assert "from larchmere-surgery.test: perhaps referral" in text
    assert "Marchbank" not in text  # a domain and a guess, never a name or a subject


def test_a_confident_disagreement_holds_the_rules_answer() -> None:
    """The rule fired (solicitor) but the model is sure it is a council's letter: held, with
    nothing to act on."""
    model = _model()
    rule_said = Classification(category="solicitor", case_kind="medico_legal", rule_id="x.y")
    sure = Guess("local_authority", "ehcp", 0.99, {"local_authority": 0.99, "solicitor": 0.01})
    result = weigh(rule_said, sure, model, lambda c, k: None)
    assert (result.needs_look, result.source, result.category) == ("disagrees", "rule", "solicitor")
    assert result.held().category is None and result.held().actions == ()
    agree = Guess("solicitor", "medico_legal", 0.99, {"solicitor": 0.99})
    assert weigh(rule_said, agree, model, lambda c, k: None).needs_look is None


def test_a_council_letter_a_rule_takes_for_a_solicitors_is_held_by_a_real_sync(
    practice_dir: Callable[..., Path],
) -> None:
    """ "Re: Our ref" in a council's SEND tribunal letter makes a solicitor's rule fire; the
    model is sure it is the council's: nothing is opened or drafted, the guess is kept."""
    home = practice_dir()
    deliver(
        home,
        "send-1",
        make_message(
            "<send-1@hollowmere.test>",
            "First-tier Tribunal - appeal",
            "Dear Sir/Madam\n\nRe: Our ref: Claimant\n\nThe parents have appealed to the "
            "First-tier Tribunal (SEND) against the EHC plan. The Council requests your "
            "updated report for the tribunal bundle.\n\nSEND Casework, Hollowmere Council",
            "SEND Team <send@hollowmere.gov.test>",
        ),
    )
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    with rt.sessions() as session:
        row = session.scalars(select(MessageRow)).one()
        assert (row.needs_look, row.source, row.category) == ("disagrees", "rule", "solicitor")
        assert row.guess_category == "local_authority"
        assert session.scalars(select(Case)).all() == []
        assert session.scalars(select(Draft)).all() == []
    assert "filed by a rule as solicitor, but the model is sure it is local authority" in (
        " ".join(summary_text(rt).split())
    )


def test_classify_json_reports_source_and_confidence(chief_exe: str, tmp_path: Path) -> None:
    letter = tmp_path / "gp.eml"
    letter.write_bytes(
        make_message(
            "<gp-2@larchmere.test>",
            "Referral: Mrs Odile Marchbank - OT assessment",
            GP_LETTER,
            "Larchmere Surgery <admin@larchmere-surgery.test>",
        )
    )
    run = subprocess.run(
        [chief_exe, "classify", "--json", str(letter)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    assert (record["category"], record["source"]) == ("referral", "model")
    assert record["confidence"] >= _model().threshold
    rules_only = subprocess.run(
        [chief_exe, "classify", "--json", "--no-learned", str(letter)],
        capture_output=True,
        text=True,
    )
    assert json.loads(rules_only.stdout)["source"] is None


def test_training_twice_gives_identical_weights(tmp_path: Path) -> None:
    """The shipped model must be reproducible from the repository: same data, same bytes.
    (A subset keeps this fast; the full run is the same code.)"""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_model", ROOT / "bench" / "train_model.py")
    assert spec is not None and spec.loader is not None
    trainer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trainer)
    first, second = tmp_path / "a.bin", tmp_path / "b.bin"
    trainer.train(first, subset=240)
    trainer.train(second, subset=240)
    assert first.read_bytes() == second.read_bytes()
    model = TextModel.load(first)
    assert model.version == trainer.VERSION and int(str(model.header["messages"])) == 240
    assert model.data_sha256 != _model().data_sha256  # the hash names the data trained on
