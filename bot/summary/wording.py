"""The summary's words: what the practitioner does, said the way they would say it.

The case log speaks the system's language (a clock ``solicitor.acknowledge``, a template
``solicitor/instruction_ack.j2``, a case kind ``medico_legal``); the summary never shows any of
it (those stay in ``chief cases show`` and ``chief audit``). Here each is turned into a
practitioner's words:

ACTION
    What to do by a deadline: the clock's own ``action`` (``rules/clocks.yaml``: "Reply to
    {party}'s letter of instruction"), its base clock's for a variant, else a phrase for the
    case's kind (:data:`KIND_ACTIONS`: a date stated in the message has no clock of its own).
PARTY
    Who the case is with, by the name in the party directory ("Harcourt Lyle LLP"), else a
    word for the kind of party ("the solicitor"). Organisations only: the case log holds no
    patient's name, and nothing here could add one.
ABOUT
    The case's kind in plain words and its reference ("prior authorisation UHC-PA-7731920").
PURPOSE
    What a draft is, by its template (:data:`DRAFT_PURPOSES`: "Appeal to UnitedHealthcare");
    a practice's own template, unknown here, is "Reply to {party}".
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.clocks.clocks import Clock

__all__ = [
    "DRAFT_PURPOSES",
    "KIND_ACTIONS",
    "KIND_NAMES",
    "about",
    "category_name",
    "deadline_action",
    "draft_purpose",
    "fill",
    "lateness",
    "possessive",
]

PARTY = "{party}"

# A case kind in words ("a prior authorisation"), and who such a case is usually with.
KIND_NAMES: dict[str, str] = {
    "prior_auth": "prior authorisation",
    "claim": "claim",
    "insured_treatment": "insured treatment",
    "ehcp": "EHCP",
    "medico_legal": "medico-legal",
    "referral": "referral",
    "team": "team",
    "credential": "registration",
    "lab_result": "lab results",
    "supplement_order": "order",
    "cme": "CME",
    "research": "research",
}
_PARTY_WORDS: dict[str, str] = {
    "prior_auth": "the payer",
    "claim": "the payer",
    "insured_treatment": "the insurer",
    "ehcp": "the council",
    "medico_legal": "the solicitor",
    "referral": "the referrer",
    "team": "the team",
    "credential": "the registering body",
    "lab_result": "the lab",
    "supplement_order": "the supplier",
    "cme": "the course provider",
}
# What to do by a date a message states, where no clock says (or for a practice's own clock
# written without an ``action``).
KIND_ACTIONS: dict[str, str] = {
    "prior_auth": "Follow up {party}'s authorisation",
    "claim": "Act on {party}'s letter about the claim",
    "insured_treatment": "Reply to {party} about the insured treatment",
    "ehcp": "Reply to {party} about the EHC plan",
    "medico_legal": "Reply to {party}",
    "referral": "Reply to {party} about the referral",
    "team": "Reply to {party}",
    "credential": "Renew with {party}",
    "lab_result": "Review {party}'s results",
    "supplement_order": "Reorder from {party}",
    "cme": "Finish {party}'s course",
}
_ANY_ACTION = "Reply to {party}"
DRAFT_PURPOSES: dict[str, str] = {
    "credentialing/renewal_checklist.j2": "Your renewal checklist for {party}",
    "lab/result_followup.j2": "Follow-up of {party}'s results",
    "local_authority/annual_review_ack.j2": "Acknowledgement to {party} of the annual review",
    "local_authority/annual_review_contribution.j2": "Your annual review advice for {party}",
    "local_authority/ehcp_advice_ack.j2": "Acknowledgement of {party}'s request for advice",
    "local_authority/ehcp_advice_skeleton.j2": "Outline of your EHC advice for {party}",
    "payer/appeal_request.j2": "Appeal to {party}",
    "payer/claim_status_inquiry.j2": "Claim status letter to {party}",
    "notes/note_not_understood.j2": "What chief could not read in your note",
    "payer/corrected_invoice.j2": "Corrected invoice to {party}",
    "payer/peer_to_peer_request.j2": "Peer-to-peer request to {party}",
    "payer/prior_auth_chase.j2": "Chase to {party} about the authorisation",
    "referral/outbound_chase.j2": "Chase to {party} about your referral",
    "referral/outcome_letter.j2": "Outcome letter to {party}",
    "reports/annual_review.j2": "Your annual review advice for {party}",
    "reports/clearance.j2": "Clearance letter for {party}",
    "reports/ehcp_advice.j2": "Your EHC advice for {party}",
    "reports/expert_report.j2": "Your expert report for {party}",
    "reports/initial_assessment.j2": "Your initial assessment report",
    "reports/insurer_progress.j2": "Progress report to {party}",
    "reports/progress.j2": "Your progress report",
    "referral/referral_ack.j2": "Acknowledgement of the referral from {party}",
    "solicitor/chaser_reply.j2": "Reply to {party}'s chaser",
    "solicitor/expert_report_skeleton.j2": "Outline of your expert report for {party}",
    "solicitor/cpr35_answers.j2": "Your answers to the written questions from {party}",
    "solicitor/instruction_ack.j2": "Acceptance of {party}'s instruction",
    "solicitor/records_request_response.j2": "Reply to {party}'s records request",
    "supplier/supplement_reorder.j2": "Reorder to {party}",
    "supplier/recall_reply.j2": "Reply to {party}'s recall",
    "supplier/recall_patients.j2": "Your patients to contact about {party}'s recall",
    "team/clearance_letter.j2": "Clearance letter for {party}",
    "team/event_confirm.j2": "Event confirmation to {party}",
    "team/liaison.j2": "Reply to {party}",
}


def possessive(name: str) -> str:
    """``Harcourt Lyle LLP's``; a name ending in s takes the apostrophe alone (``Penhallow &
    Grieve Solicitors'``)."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def fill(phrase: str, party: str | None, kind: str | None) -> str:
    """``phrase`` with ``{party}`` (and ``{party}'s``) filled in: the party's name, else a
    word for who such a case is with."""
    who = party or _PARTY_WORDS.get(kind or "", "the sender")
    out = phrase.replace(PARTY + "'s", possessive(who)).replace(PARTY, who)
    return out[:1].upper() + out[1:]


def deadline_action(
    clock_id: str | None,
    clocks: Mapping[str, Clock],
    kind: str | None,
    party: str | None,
) -> str:
    """What to do by the deadline of ``clock_id`` (ACTION in the module docstring)."""
    clock = clocks.get(clock_id) if clock_id else None
    phrase = clock.action if clock is not None else ""
    if clock is not None and not phrase and clock.variant_of:
        base = clocks.get(clock.variant_of)
        phrase = base.action if base is not None else ""
    return fill(phrase or KIND_ACTIONS.get(kind or "", _ANY_ACTION), party, kind)


def draft_purpose(template: str, kind: str | None, party: str | None) -> str:
    """What a draft is (PURPOSE in the module docstring)."""
    return fill(DRAFT_PURPOSES.get(template, _ANY_ACTION), party, kind)


def about(kind: str | None, reference: str | None) -> str:
    """``prior authorisation UHC-PA-7731920``; the kind alone without a reference."""
    words = KIND_NAMES.get(kind or "", (kind or "").replace("_", " "))
    return " ".join(part for part in (words, reference or "") if part)


def category_name(category: str | None) -> str:
    """A classification category in words (``local_authority`` → ``local authority``)."""
    return category.replace("_", " ") if category else "unclassified"


def lateness(days: int) -> str:
    """``1 day late``, ``12 days late``."""
    return f"{days} day late" if days == 1 else f"{days} days late"
