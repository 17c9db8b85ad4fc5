# ruff: noqa: E501  (letter text: a paragraph is one line, as mail clients send it)
"""Phrasings of the quality corpus's ``holdout`` half (see ``build_quality_corpus.py``).

Written separately from the ``dev`` half, in other words and layouts, with other reference
formats, and with Outlook and Apple Mail quoting and forwarding instead of Gmail's. Rules are
never tuned on this half: its figures show how the packs do on wording they have not seen.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any


def T(kind: str | None, who: str, subject: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "who": who, "subject": subject, "body": body, **extra}


REF_FORMATS = {
    "pa": ["UM########", "####-######", "AUTH#######", "@##########"],
    "claim": ["##@########", "C#########", "#########-##"],
    "icn": ["#############"],
    "ukauth": ["PA#######", "########-##"],
    "sol": ["@@@.####.###", "@@/@@/####", "OB-####-@@", "####/###"],
    "yourref": ["@@@-####"],
    "ehc": ["EHCP-######", "@@@/EHC/######", "SEND/######"],
    "dfg": ["DFG-######", "ADAPT/#####"],
    "lab": ["ACC-########", "####-#####", "@@@######"],
    "order": ["W########", "ORD-######", "#######"],
    "medorder": ["SO#######", "#######"],
    "lic": ["MD-#####", "######"],
    "dea": ["@@#######"],
    "hcpc": ["OT#####"],
    "gmc": ["#######"],
    "caqh": ["########"],
    "policy": ["@@@-######-##", "POL#######"],
    "ubrn": ["############"],
    "rref": ["RF#######"],
    "booking": ["BK-#####", "@@######"],
}

# --------------------------------------------------------------------------- payer
PAYER = [
    T(
        "prior_auth",
        "us_payer",
        "Your pre-service request has been submitted",
        """
Thank you for your submission.

Request type: Outpatient pre-service review
Tracking number: {pa}
Patient: {patient}
Date of birth: {dob}
Subscriber ID: {member_id}
Procedure code(s): {cpt}
Submitted: {today}

What happens next: a nurse reviewer will look at the request. If we need more records we will contact your office. Decisions on non-urgent requests are normally made within 15 days.

Please do not reply to this automated message.
{org}
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "prior_auth",
        "bm",
        "Request on hold - documentation needed",
        """
Hello,

The imaging request listed below is on hold. We can't make a decision yet because the clinical notes we received do not include the information our guidelines require.

Order ID: {pa}
Exam requested: {procedure}
Patient: {patient}

Missing: details of the injury, how long symptoms have lasted, and what treatment has been tried. You can attach notes in the portal or call us to complete a clinical consultation. Respond no later than {due}.

Thank you,
{org}
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "prior_auth",
        "us_payer",
        "Utilization review determination: certified",
        """
UTILIZATION REVIEW DETERMINATION

Patient: {patient}
Tracking number: {pa}
Level of care: outpatient
Service: {procedure} ({cpt})

Determination: CERTIFIED
Certification period: {today} - {later}

This certification confirms medical necessity only. Payment is subject to eligibility and benefit limits when services are rendered.

{org}
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "prior_auth",
        "bm",
        "Coverage decision about your request",
        """
Dear {practitioner},

We reviewed the request for {procedure} for {patient} (reference ID {pa}) using our clinical guidelines. We are not able to approve it. The information provided did not show that the guideline requirements were met: imaging is considered when symptoms persist despite 6 weeks of treatment, and the notes describe 2 weeks.

What you can do:
- Talk to the doctor who reviewed the case: call within 7 business days.
- Ask for an appeal: send a written request within 180 days.

{org}
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "claim",
        "us_payer",
        "Explanation of payment for claim {claim}",
        """
Explanation of Payment

Claim ID: {claim}
Service date: {dos}
Charges: ${amount2}
Plan paid: ${amount}
Adjustment: CO-45 charge exceeds fee schedule
Patient owes: $25.00

Funds were sent to your bank account on {today}.

{org}
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "claim",
        "us_payer",
        "Claim rejected: missing information",
        """
The claim below could not be processed and has been rejected.

Claim ID: {claim}
Date of service: {dos}
Rejection: CO-16 - claim lacks information needed for adjudication. Missing or invalid referring provider NPI.

Please correct the claim and resubmit it electronically. Corrected claims must be received within the timely filing limit.

{org}
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "claim",
        "us_payer",
        "Update on the appeal you filed",
        """
Dear Provider,

This letter is about the appeal for claim {claim} ({patient}, date of service {dos}).

We looked at everything you sent. Our decision is to uphold the original denial, because the service is considered investigational for this condition under the member's plan.

If you disagree, the member may ask for an external review within 4 months of this letter.

Grievance and Appeals
{org}
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "claim",
        "mac",
        "Notice of redetermination",
        """
Dear Provider,

Medicare has made a decision about the redetermination request for the claim below.

Beneficiary: {patient}
ICN: {icn}
Service date: {dos}
Decision: Favorable

We have reversed the initial determination. The claim will be adjusted and payment released on a future remittance advice.

{org}
""",
        refs={"claim_ref": "icn"},
    ),
    T(
        "insured_treatment",
        "uk_insurer",
        "Your patient's claim has been approved",
        """
Hello {practitioner},

Good news - we've confirmed cover for your patient.

Customer: {patient}
Claim number: {ukauth}
Approved: up to {sessions} sessions of therapy
Fee limit: £{amount} per session
Valid until: {later}

Please include the claim number when you send your invoice to us.

Thanks,
{org} Claims
""",
        refs={"pa_ref": "ukauth"},
    ),
    T(
        "insured_treatment",
        "uk_insurer",
        "Authorisation declined",
        """
Dear {practitioner},

Re: {patient}, policy number {member_uk}
Authorisation code: {ukauth}

We've looked at your request for further sessions. Unfortunately the policy does not cover treatment for chronic conditions, so we are unable to authorise further sessions. The sessions already approved are not affected.

If you have new clinical information, please send it to us and we'll review our decision.

Regards,
{org}
""",
        refs={"pa_ref": "ukauth"},
    ),
    T(
        "claim",
        "uk_insurer",
        "Remittance advice",
        """
Remittance advice

Payee: {practice}
Payment date: {today}
Payment reference: {trace}

Patient: {patient}
Invoice: {invoice}
Claim number: {claim}
Amount paid: £{amount}

Payment has been made by BACS to your registered bank account.
{org}
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "prior_auth",
        "us_payer",
        "Status of request {pa}",
        """
The request is still pending review by a nurse reviewer. We have everything we need; you should hear back within 3 business days.

Provider Services
{org}
""",
        refs={"pa_ref": "pa"},
        quote="""
Could you let us know the status of the authorization request for {patient}? It was submitted two weeks ago.

Thanks,
{practitioner}
""",
    ),
    T(
        "claim",
        "us_payer",
        "Claim processed - payment on the way",
        """
Your claim has been processed and approved for payment.

Claim ID: {claim}
Patient: {patient}
Service date: {dos}
Amount approved: ${amount}

The prior authorization on file for this service was applied. Payment will be issued in the next payment cycle.

{org}
""",
        refs={"claim_ref": "claim"},
    ),
]

# --------------------------------------------------------------------------- solicitor
SOLICITOR = [
    T(
        "medico_legal",
        "uk_firm",
        "Medico-legal report request",
        """
Good afternoon,

I am a solicitor in our personal injury department. We have a client who was injured in a fall at a supermarket last year and we need an occupational therapy expert to assess her care needs.

Before sending papers could you confirm that you can take on the case, your likely fee and how soon you could see her? The client lives in Guildford.

Our Reference: {sol}

Thanks,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Instructions - care and rehabilitation report",
        """
Dear {practitioner},

Claimant: {patient}
D.O.B.: {dob}
Our Ref: {sol}

Further to our recent correspondence, we confirm our instructions to you to prepare a report on the Claimant's past and future care, aids and equipment and accommodation needs. Your report is for the court and you owe your duty to the court; please include the statement of truth and the declaration required by the Practice Direction.

The bundle of records is available to download through our secure portal. We look forward to hearing from you with an appointment date.

Yours faithfully,
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Follow up - our client {patient}",
        """
Dear {practitioner},

Further to our email of {earlier}, please could you confirm when we can expect your report? We are due to serve expert evidence by {due} and would not want to have to apply for an extension.

Our ref. {sol}

Many thanks,
{sender}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "us_firm",
        "Records request - {patient}",
        """
Dear Records Custodian:

Please be advised that this firm represents {patient} regarding a motor vehicle collision on {earlier}. Please accept this letter as our request for certified copies of any and all medical records, bills and diagnostic films for our client.

A HIPAA-compliant authorization executed by our client is attached.

Our File No.: {sol}

Sincerely,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
        pdf="Authorization.pdf",
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Supplementary questions - {patient}",
        """
Dear {practitioner},

Our reference: {sol}

The Defendant's insurers have raised written questions on your report, a copy of which is attached. Under the rules these must be answered within 28 days of receipt, so please could you let us have your replies by {due}.

The questions relate to the prognosis period and to the costs of future therapy.

Kind regards,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Notice of hearing",
        """
Dear {practitioner},

We write to let you know the court has fixed the final hearing in our client's case for {later} at the County Court, with a time estimate of two days. You will be needed to give oral evidence on the second day.

Please hold the date and let us know straight away if you cannot attend.

Our ref: {sol}

{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Claim at an end - no further work needed",
        """
Dear {practitioner},

Our ref: {sol}

We write to inform you that the Claimant has accepted the Defendant's Part 36 offer and the claim is now at an end. No further work is required from you.

Please send us your final account if you have not already done so.

Regards,
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "mro",
        "Appointment required - new case",
        """
Hi,

A new case has been allocated to you.

Case reference: {sol}
Claimant: {patient}
Claimant DOB: {dob}
Report type: whiplash (RTA) initial report
Instructing party: {defendant} & Co Solicitors

Please book the appointment in the portal within 5 working days. Contact the case handler if you are unable to accept.

{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Invoice - {patient}",
        """
Dear {practitioner},

Thank you. Your invoice has been passed to our accounts team and payment has now been made by bank transfer.

Our ref: {sol}

Kind regards,
{sender}
""",
        refs={"solicitor_ref": "sol"},
        quote="""
Dear {sender},

Please find attached my invoice {invoice} for the report on {patient}. Payment terms are 30 days.

{practitioner}
""",
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Correspondence - {sol}",
        """
Dear Sirs,

Please see attached correspondence.

Regards,
{org}
""",
        refs={"solicitor_ref": "sol"},
        pdf="Correspondence.pdf",
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Instruction and records - {patient}",
        """
Dear {practitioner},

Re: our client {patient}
Our Ref: {sol}

We now enclose (1) our letter of instruction for an expert report and (2) our client's signed authority for the release of your treatment records, as you are also her treating therapist. Please let us have a copy of the records and confirm whether you are able to act as expert given your treating role.

Yours sincerely,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
]

# --------------------------------------------------------------------------- local authority
LOCAL_AUTHORITY = [
    T(
        "ehcp",
        "council",
        "Professional advice request: Education, Health and Care assessment",
        """
Dear Professional,

Name of child: {patient}
D.O.B: {child_dob}
Setting: {school}
EHCP reference number: {ehc}

The Local Authority is undertaking a statutory assessment of special educational needs for the above child under section 36 of the Children and Families Act 2014. You are asked to provide advice and information about the child's needs, the provision required and the outcomes sought.

Advice should be submitted within 6 weeks, no later than {due}, through the EHC hub.

SEN Assessment and Review
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "ehcp",
        "council",
        "Draft plan issued for {first}",
        """
Hello,

A draft EHCP has been sent to the parents of {patient} today. As one of the professionals who contributed advice you may wish to check that the provision in section F has been recorded accurately.

Reference: {ehc}

Comments are due within 15 calendar days.

{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "ehcp",
        "council",
        "Annual Review meeting: {first} {last}",
        """
You are invited to contribute to the Annual Review of {first}'s Education, Health and Care Plan.

Date: {later}
Time: {time}
Venue: {school}
Plan reference: {ehc}

Please submit a short report on progress against the outcomes in section E at least two weeks before the meeting. If you cannot attend, your written report will be shared with the family and the school.

{org}
""",
        refs={"ehcp_ref": "ehc"},
        ics="Annual Review: {first} {last}",
    ),
    T(
        "ehcp",
        "council",
        "Overdue: professional advice",
        """
Dear colleague,

We are still waiting for your advice for {patient} ({ehc}). The statutory deadline passed on {earlier}. Please submit it by return or tell us when it will be sent, otherwise the plan may be finalised without it.

SEND Team
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "ehcp",
        "council",
        "Appeal to the First-tier Tribunal - witness availability",
        """
Dear {practitioner},

The local authority has received notice of an appeal concerning {patient} (ref {ehc}). The hearing has been listed for {later}. Please let us know whether you would be available to attend as a witness and whether you could provide an addendum report by {due}.

Kind regards,
{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "adaptation",
        "housing",
        "Home adaptation referral",
        """
Dear {practitioner},

Applicant: {patient}
Case ref: {dfg}

We have received a request for home adaptations for the applicant, who has difficulty getting upstairs and using the bath. Please carry out an occupational therapy assessment and send us your recommendations so that we can consider a grant.

{sender}
{org}
""",
        refs={"adaptation_ref": "dfg"},
    ),
    T(
        "ehcp",
        "council",
        "Proposed changes to {first}'s plan",
        """
Dear colleague,

Following the annual review for {patient}, the local authority proposes to amend the EHC plan. A copy of the proposed amendments is attached. If you have any comments please send them within 15 days.

EHC plan reference: {ehc}

{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
        pdf="Amendment notice.pdf",
    ),
    T(
        "ehcp",
        "council",
        "Advice for {first} {last}",
        """
Many thanks - received. I'll add this to {first}'s file ({ehc}) and circulate it to the panel next week.

Best wishes,
{sender}
""",
        refs={"ehcp_ref": "ehc"},
        quote="""
Hi,

Please find my OT advice attached for {patient}.

Kind regards,
{practitioner}
""",
    ),
    T(
        "ehcp",
        "council",
        "Panel decision - {first} {last}",
        """
Dear {practitioner},

Thank you for your advice for {patient}. The SEND panel met on {date} and agreed to issue an Education, Health and Care plan. A draft will be shared with the family shortly, and a copy will be sent to you for information.

Our reference: {ehc}

{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
]

# --------------------------------------------------------------------------- referral
REFERRAL = [
    T(
        "referral",
        "gp",
        "Private referral - {patient}",
        """
Dear colleague,

I'd be grateful for your opinion on this pleasant {age} year old gentleman with a 6 month history of right lateral elbow pain that has not settled with rest, a brace and two steroid injections. He is a keen tennis player and works as a carpenter.

Name: {patient}
D.O.B.: {dob}
Address and contact details on the attached letter.

Kind regards,
{sender}
""",
        pdf="Referral.pdf",
    ),
    T(
        "referral",
        "us_clinician",
        "Consult request - {patient}",
        """
Dear {practitioner},

Requesting a sports medicine consultation for {patient}, DOB {dob}, {age} y/o with recurrent patellar dislocation. Evaluate and treat; please send notes to our office.

Diagnosis: recurrent patellar instability (M22.01)
Authorization: not required
Referral #: {rref}

{sender}
{org}
""",
        refs={"referral_ref": "rref"},
    ),
    T(
        "referral",
        "uk_referrer",
        "OT assessment - new client",
        """
Dear {practitioner},

We have been asked by {defendant} Insurance to arrange an immediate needs assessment for the client below, who sustained a brain injury in a cycling accident.

Client: {patient}
Date of birth: {dob}
Case ref: {rref}

Please let me know your availability for a home visit in the next two weeks.

Regards,
{sender}
{org}
""",
        refs={"referral_ref": "rref"},
    ),
    T(
        "referral",
        "us_coach",
        "Quick favor",
        """
Hi Dr,

I coach {first} {last} on our club {sport} team. She tweaked her knee at practice Tuesday, some swelling, can still walk. Her mom asked me who she should see and I said you. Any chance you could fit her in this week?

Her mom's cell: 555-01{number}

{sender}
""",
    ),
    T(
        "referral",
        "us_allied",
        "New client for you",
        """
Hello {practitioner},

Sending {patient} your way. She's {age}, has been working with me on an anti-inflammatory diet for joint pain, and I think she needs a proper medical evaluation and labs. Birth date {dob}. She'll call to schedule.

Best,
{sender}
{org}
""",
    ),
    T(
        "referral",
        "gp",
        "Referral for assessment",
        """
Referral for assessment

Patient: {patient}
Date of Birth: {dob}
NHS No: {nhs}
e-RS UBRN: {ubrn}

Reason: persistent low back pain with functional decline; requesting assessment and rehabilitation.

{sender}
{org}
""",
        refs={"referral_ref": "ubrn"},
    ),
    T(
        "referral",
        "us_clinician",
        "{patient} - consult",
        """
Thank you for the consult note on {first}. I'll continue to follow her for the cardiac side; fine to proceed with the exercise programme you outlined.

{sender}
""",
        quote="""
Dear {sender},

I saw your patient {patient} today for exertional leg pain. Vascular and cardiac causes look unlikely; I suspect chronic exertional compartment syndrome and have arranged pressure testing.

{practitioner}
""",
    ),
    T(
        "referral",
        "nhs_hospital",
        "Discharge summary - {patient}",
        """
DISCHARGE SUMMARY

Patient: {patient}   DOB: {dob}
Admitted: {earlier}   Discharged: {date}
Procedure: right total hip replacement

Follow-up: community physiotherapy, and occupational therapy for home equipment. Please see for ongoing rehabilitation.

{org}
""",
    ),
    T(
        "referral",
        "uk_referrer",
        "Onward referral",
        """
Hi {practitioner},

Quick onward referral for one of my patients who I think needs OT input for fatigue management and pacing after long COVID: {patient}, DOB {dob}. She's aware and has consented to me sharing her details.

Cheers,
{sender}
""",
    ),
]

# --------------------------------------------------------------------------- team
TEAM = [
    T(
        "team",
        "team",
        "Tournament medical staffing",
        """
Hello,

We are hosting the regional {sport} tournament on {later}. We need two medical providers on site from 7:30 am to 6 pm. Can your practice supply a physician and an athletic trainer? We pay the usual event rate.

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Baseline concussion testing for fall athletes",
        """
Hi {practitioner},

We'd like to schedule baseline ImPACT testing and pre-season medicals for our fall squads ({number} athletes). Are any evenings in the next two weeks open? We can use the weight room.

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Incident report: {first} {last}",
        """
Player: {patient}
Team: U16 girls
Date of incident: {date}
What happened: landed awkwardly after a header, twisted right knee. Unable to continue. Swelling within an hour.

Our physio has referred her to you for assessment - please let us know what you find and when she can return to training.

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Updated invitation: Varsity {sport} vs. Eastfield",
        """
Updated invitation: Varsity {sport} vs. Eastfield

When: {weekday} {later} 6pm - 9pm
Where: Westbrook stadium
Who: athletic training staff, team physician

Medical staff requested for this home game. Please accept so we can finalise the staffing list.

{sender}
""",
        ics="Varsity {sport} vs. Eastfield",
    ),
    T(
        "team",
        "team",
        "Sports medicine services contract renewal",
        """
Hi {practitioner},

Our sports medicine services contract with your practice ends on {later}. I've attached the renewal with the updated fee schedule. Please sign and return when you can.

Thanks,
{sender}
{org}
""",
        pdf="Services contract.pdf",
    ),
    T(
        "team",
        "team",
        "Physio room on match days",
        """
Yes, the physio room is free from 4 pm on match days; our kit man will leave it unlocked for you.

{sender}
""",
        quote="""
Hi {sender},

Could we use the physio room before the match to see injured players?

{practitioner}
""",
    ),
    T(
        "team",
        "team",
        "Spring season calendar",
        """
Hi all,

Here are the spring {sport} fixtures:

Mar 7 - home vs. Lakeside
Mar 14 - away at Eastfield
Mar 21 - home vs. St. Mary's
Apr 4 - home vs. Ridgeway

Medical cover needed for all home games please.

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Return to play - {first}",
        """
Hi {practitioner},

Our athletic trainer has finished the graduated return with {first} ({patient}) and she has had no symptoms at any stage. Please could you confirm clearance so she can rejoin full-contact practice?

{sender}
{org}
""",
    ),
]

# --------------------------------------------------------------------------- lab
LAB = [
    T(
        "lab_result",
        "lab",
        "Final report posted",
        """
A final report has been posted for your review.

Patient name: {patient}
Birth date: {dob}
Lab reference: {lab}
Panel: comprehensive thyroid, iron studies

View it in the practitioner portal.

{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Sample could not be tested",
        """
Dear clinician,

Unfortunately we could not test the sample received for {patient} on {date}: the tube arrived without a label and cannot be matched to the request. A repeat sample is required.

Requisition no.: {lab}

{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Home test kit dispatched",
        """
Hi,

We've dispatched a home test kit to your patient {patient}. It usually arrives within 2 working days.

Kit order reference: {lab}

The patient should post the sample back on a Monday to Thursday.

{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Pickup scheduled for {weekday}",
        """
Your specimen pickup is confirmed for {weekday} between 3 and 5 pm. Please leave the box at reception.

Accession number: {lab}

{org} Logistics
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Results: {initials}",
        """
Results for accession {lab} are complete. One or more values are flagged. Sign in to review.

{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Add-on test for {lab}",
        """
We were able to add the HbA1c to the original sample; the result will follow on the same report.

Client Support
{org}
""",
        refs={"order_ref": "lab"},
        quote="""
Could you add HbA1c to {patient}'s sample from yesterday?

{practitioner}
""",
    ),
    T(
        "lab_result",
        "lab",
        "Report complete + interpretation guide",
        """
Dear {practitioner},

The report for {patient} (requisition {lab}) is complete. We have also attached our new interpretation guide for the organic acids profile, which you may find useful when you go through the results.

{org} Clinical Support
""",
        refs={"order_ref": "lab"},
        pdf="Interpretation guide.pdf",
    ),
]

# --------------------------------------------------------------------------- cme
CME = [
    T(
        "cme",
        "cme_us",
        "Enrollment confirmed - {course}",
        """
Hi {practitioner},

You're in! Your enrollment in {course} is confirmed.

Confirmation number: {booking}
Starts: {later}
Credit: {credits} AMA PRA Category 1 Credit(s)

Access the course from your dashboard.

{org}
""",
        refs={"booking_ref": "booking"},
    ),
    T(
        "cme",
        "cme",
        "Your certificate of completion",
        """
Congratulations on completing {course}!

Your certificate of completion is attached. Credits awarded: {credits}.

{org}
""",
        pdf="Certificate.pdf",
    ),
    T(
        "cme",
        "cme",
        "Credits posted to your record",
        """
The {credits} credits you earned at {course} have been posted to your learning record. You can view or print your record at any time from your account.

{org}
""",
    ),
    T(
        "cme",
        "cme",
        "Joining instructions - {course}",
        """
Dear {practitioner},

{course} takes place on {later}. Your joining instructions are below.

Venue: Education Centre, Room 2
Arrival: 8:30 am for a 9:00 am start
Bring: comfortable clothing for the practical sessions

We look forward to welcoming you.

{org}
""",
    ),
    T(
        "cme",
        "cme",
        "Claim your credit: evaluation now open",
        """
Thank you for taking part in {course}. The evaluation is now open: once you complete it, your credit certificate will be issued automatically.

{org}
""",
    ),
    T(
        "cme",
        "cme",
        "Webinar confirmation: {course}",
        """
Your place is booked.

Session: {course}
Date: {later}
Booking reference: {booking}

A calendar invitation is attached. The link to join will be active 15 minutes before the start.

{org}
""",
        refs={"booking_ref": "booking"},
        ics="{course} - live webinar",
    ),
    T(
        "cme",
        "cme_uk",
        "CPD hours recorded",
        """
Dear {practitioner},

We've recorded {credits} CPD hours against your profile for attending {course}. Your updated CPD summary can be downloaded from your member area.

{org}
""",
    ),
]

# --------------------------------------------------------------------------- credentialing
CREDENTIALING = [
    T(
        "credential",
        "state_board",
        "Time to renew your medical license",
        """
Hello Doctor,

Your medical license expires on {later}. Online renewal is now open.

License #: {lic}

To renew you will need proof of your CME hours, the renewal fee, and answers to the professional fitness questions.

{org}
""",
        refs={"licence_ref": "lic"},
    ),
    T(
        "credential",
        "dea",
        "DEA: renewal application available",
        """
Registrant,

Your DEA registration no. {dea} expires {later}. Renewal applications can be submitted online now. A registration that is not renewed by the expiration date is retired and cannot be reinstated.

{org}
""",
        refs={"licence_ref": "dea"},
    ),
    T(
        "credential",
        "caqh",
        "Your profile attestation is expiring",
        """
Your CAQH ProView attestation will expire on {due}. Please log in and complete the attestation to keep your profile available to the health plans you participate with.

CAQH ProView ID: {caqh}

{org}
""",
        refs={"licence_ref": "caqh"},
    ),
    T(
        "credential",
        "hospital",
        "Privileges renewal - action required",
        """
Dear {practitioner},

Our credentials committee is processing reappointments for the next cycle. Your current appointment to the medical staff ends on {later}. Please return the enclosed packet, with copies of your current license and certificate of insurance, by {due}.

Credentials Office
{org}
""",
        pdf="Reappointment packet.pdf",
    ),
    T(
        "credential",
        "malpractice",
        "Renewal offer for your liability coverage",
        """
Policy #: {policy}

Your medical professional liability coverage expires {later}. To keep your coverage in force, review the attached renewal offer and return the signed application with your premium payment.

{org} Underwriting
""",
        refs={"licence_ref": "policy"},
    ),
    T(
        "credential",
        "hcpc",
        "Renewal reminder: your registration",
        """
Dear {practitioner},

Registration no.: {hcpc}

Your registration is due to be renewed. You must renew online before the end of the renewal period on {later}, declaring that you meet our standards for CPD and that you have professional indemnity in place.

{org}
""",
        refs={"licence_ref": "hcpc"},
    ),
    T(
        "credential",
        "gmc",
        "Your annual retention fee is due",
        """
Dear {practitioner},

GMC number: {gmc}

Your annual retention fee is due on {due}. You must pay it to keep your registration and licence to practise.

{org}
""",
        refs={"licence_ref": "gmc"},
    ),
    T(
        "credential",
        "uk_indemnity",
        "Indemnity cover - time to renew",
        """
Dear {practitioner},

Your professional indemnity cover ends on {later}. Please log in to your account to confirm your practice details and renew for another year.

Policy no: {policy}

{org}
""",
        refs={"licence_ref": "policy"},
    ),
    T(
        "credential",
        "payer_cred",
        "Network recredentialing notice",
        """
Dear Practitioner,

You are due for recredentialing with our network. Please confirm that your CAQH profile is complete and attested within the next 30 days. Practitioners who do not complete recredentialing will be terminated from participation.

{org} Credentialing
""",
    ),
    T(
        "credential",
        "state_board",
        "Registration renewed",
        """
Your renewal has been processed and your license is current.

License #: {lic}
Valid through: {later}

{org}
""",
        refs={"licence_ref": "lic"},
    ),
]

# --------------------------------------------------------------------------- supplier
SUPPLIER = [
    T(
        "supplement_order",
        "supplement",
        "We've received your order",
        """
Hello {practitioner},

We've received your order and it's being processed.

Order reference: {order}

2 x Curcumin complex 90 caps
1 x Zinc picolinate 60 caps
3 x Probiotic 25B 30 caps

Total: ${amount}

{org}
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Dispatch confirmation - order {order}",
        """
Your parcel is on its way. It was handed to the courier this morning and should arrive in 1-2 working days.

Items: magnesium citrate, vitamin C 1000

{org}
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Your invoice {invoice}",
        """
Hello,

Your invoice {invoice} for order {order} is attached.

Total due: ${amount}
Terms: net 30

{org} Accounts
""",
        refs={"order_ref": "order"},
        pdf="Invoice.pdf",
    ),
    T(
        "supplement_order",
        "supplement",
        "Out of stock update",
        """
Hi,

We're sorry: Liver Support 90 caps from your order {order} is currently unavailable from the manufacturer. We'll ship it separately when stock arrives, or you can swap it for an alternative.

{org}
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Urgent: product withdrawal notice",
        """
Dear practitioner,

We are withdrawing batch 26B044 of Iron Bisglycinate 25 mg because of a labelling error on the stated dose. You received this batch on order {order}.

Please stop selling the product and return unsold stock to us. Patients who bought it should be told to contact you.

{org} Quality
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supply_order",
        "medsupply",
        "Delivery scheduled",
        """
Delivery for sales order {medorder} is scheduled for {weekday}.

Contents: exam table paper x 12, ultrasound gel 250 ml x 24, disposable speculum x 100

{org}
""",
        refs={"order_ref": "medorder"},
    ),
    T(
        "supply_order",
        "medsupply",
        "Order acknowledgement {medorder}",
        """
Thank you for your purchase.

Order: {medorder}
Delivery address: {practice}

1 x raised toilet seat
1 x shower chair with back
2 x grab rails 450 mm

We'll let you know when your goods are on their way.

{org}
""",
        refs={"order_ref": "medorder"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Your account statement",
        """
Dear customer,

Your account statement is attached.

Outstanding balance: ${amount2}
Please pay within 30 days of the invoice date.

{org} Credit Control
""",
        pdf="Statement.pdf",
    ),
]

# --------------------------------------------------------------------------- research
RESEARCH = [
    T(
        "research",
        "journal",
        "New issue alert: {org}",
        """
The new issue of {org} is available online.

Volume {vol} | Issue {issue}

Featured articles:
- Hip strength and running injuries: prospective study
- Graded exposure for fear of movement after ACL injury
- Return to work after hand injury: qualitative study

Browse the issue.

{org}
""",
    ),
    T(
        "research",
        "digest",
        "Your weekly research roundup",
        """
This week we read the new papers so you don't have to.

1. Creatine for older adults: small gains in strength, no change in function.
2. Pacing programmes for post-viral fatigue: what the evidence says.
3. Early mobilisation after ankle fracture: randomised trial.

Clinical takeaway for each paper inside.

{org}
""",
    ),
    T(
        "research",
        "journal",
        "Latest articles in {org}",
        """
Latest articles:

- Blood biomarkers of overtraining: a systematic review
- Return to sport after shoulder stabilisation
- Occupational therapy for people with chronic pain

See all latest articles.

{org}
""",
    ),
    T(
        "research",
        "digest",
        "Saved search alert: 'concussion return to sport'",
        """
New results for your saved search 'concussion return to sport':

1. Symptom-limited activity after sport-related concussion: randomised trial.
2. Vestibular rehabilitation in adolescents: cohort study.

Manage saved searches.

{org}
""",
    ),
    T(
        "research",
        "journal",
        "Editor's choice from {org}",
        """
From the editor: this month's most read papers, free to access.

- Exercise dose and knee osteoarthritis pain
- Sleep and injury in elite youth athletes

{org}
""",
    ),
]

# --------------------------------------------------------------------------- unclassified
NULL = [
    T(
        None,
        "payer_news",
        "Network news: policy updates for next quarter",
        """
Network News

Medical policy updates: We have updated our policies on knee arthroscopy and on physical therapy visit limits. Reviews of these services will use the new criteria from the first of next quarter.

Claims tip: submit corrected claims electronically to avoid duplicate denials.

Upcoming office hours for billing staff.

Read online | Update your email preferences | Unsubscribe
{org}
""",
    ),
    T(
        None,
        "payer_news",
        "Save the date: provider town hall",
        """
You're invited to our quarterly provider town hall on {later}. Hear from our medical directors about changes to the precertification process, claim payment timelines and new digital tools.

Reserve your spot today.

You received this email as a network provider. Manage subscriptions.
{org}
""",
    ),
    T(
        None,
        "council_news",
        "Family Information Service bulletin",
        """
What's on this month

- Free holiday activities and food programme: booking open
- SEND drop-in sessions for parents at local libraries
- Have your say: consultation on the SEND and alternative provision strategy

Follow us on social media. To stop receiving this bulletin, unsubscribe.
{org}
""",
    ),
    T(
        None,
        "council_news",
        "Your parking permit is due for renewal",
        """
Dear permit holder,

Your residents' parking permit expires on {later}. Please renew online before that date to avoid a penalty charge.

Parking Services
{org}
""",
    ),
    T(
        None,
        "lab_marketing",
        "Black Friday: 30% off blood tests",
        """
Our biggest sale of the year is here.

30% off every blood test, including our advanced well woman and sports performance panels. Results in 48 hours, with a doctor's comments.

Shop the sale - ends Monday.

Unsubscribe
{org}
""",
    ),
    T(
        None,
        "cme_marketing",
        "Last chance to register: annual conference",
        """
Registration closes Friday for our annual conference. Three days of workshops, keynotes and networking, plus up to {credits} CPD hours.

Book your place now.

You are receiving this because you are a member. Update your preferences.
{org}
""",
    ),
    T(
        None,
        "supplier_marketing",
        "New product launch: Sleep Complex",
        """
Introducing Sleep Complex, our new practitioner-only formula with magnesium, glycine and L-theanine.

Order before the end of the month for introductory pricing, and request free patient samples.

Manage your email preferences.
{org}
""",
    ),
    T(
        None,
        "journal_marketing",
        "Renew your subscription and save",
        """
Your personal subscription ends soon. Renew today and save 25% on a two-year plan, with full access to the archive and the mobile app.

Renew now

{org}
""",
    ),
    T(
        None,
        "cred_news",
        "Webinar: documentation that protects you",
        """
Join our risk management team for a free webinar on clinical documentation, consent and complaint handling. Attendees receive a certificate for their appraisal portfolio.

Book now: places are limited.

Unsubscribe from member updates.
{org}
""",
    ),
    T(
        None,
        "team_news",
        "Booster club raffle - tickets on sale",
        """
Support our athletes! Raffle tickets for the winter booster club draw are on sale now: $10 each or 3 for $25. Prizes include a signed jersey and a team dinner.

Buy tickets online.
{org}
""",
    ),
    T(
        None,
        "nhs_news",
        "Trust news this week",
        """
This week at the Trust

- New orthopaedic theatre opens
- Staff awards: nominations open
- Reminder: patient referral forms have moved to the new intranet page

{org} Communications
""",
    ),
    T(
        None,
        "personal",
        "School trip form",
        """
Hiya,

Can you sign the school trip form for Maddie tonight? It's in her bag. They need it back by Thursday along with the £12.

Also - running club is cancelled this week.

x
""",
    ),
    T(
        None,
        "personal",
        "Book club - next month's pick",
        """
Hi all,

Next month we're reading the new Ann Patchett. We'll meet at mine on the 14th at 7.30 - bring a snack!
""",
    ),
    T(
        None,
        "vendor",
        "Your statement is ready",
        """
Your monthly business account statement is ready to view in online banking.

Account ending 4471
Statement period: last month

Sign in to view your statement.
{org}
""",
    ),
    T(
        None,
        "vendor",
        "Receipt for your subscription",
        """
Thanks for your payment.

Plan: Business annual
Amount: $199.90
Next renewal: {later}

View your receipt in your account.
{org}
""",
    ),
    T(
        None,
        "vendor",
        "Your parcel will be delivered today",
        """
Good news! Your parcel will be delivered today between 10:15 and 11:15.

Tracking number: RM{trace}GB

Not going to be in? Choose a safe place.
""",
    ),
    T(
        None,
        "vendor",
        "Reminder: your dental check-up",
        """
This is a reminder of your appointment at Bright Dental on {weekday} at {time}. Reply C to confirm or call us to rearrange.
""",
    ),
    T(
        None,
        "phish",
        "Remittance advice attached - payment pending",
        """
Dear Provider,

A payment to your practice is pending. Please review the attached remittance advice and confirm your banking details through the secure link to release the funds.

Payments Department
""",
    ),
    T(
        None,
        "phish",
        "Final notice: registration renewal payment",
        """
Your professional registration will be cancelled today unless the renewal payment is received. Pay the outstanding fee now using the link below to avoid removal from the register.
""",
    ),
    T(
        None,
        "autoreply",
        "Out of Office: Advice",
        """
I am currently on annual leave, returning on {later}. Your email has not been forwarded. For urgent matters please contact the duty officer.
""",
    ),
]

TEMPLATES = {
    "payer": PAYER,
    "solicitor": SOLICITOR,
    "local_authority": LOCAL_AUTHORITY,
    "referral": REFERRAL,
    "team": TEAM,
    "lab": LAB,
    "cme": CME,
    "credentialing": CREDENTIALING,
    "supplier": SUPPLIER,
    "research": RESEARCH,
    "null": NULL,
}

# --------------------------------------------------------------------------- replies and forwards
FORWARD_NOTES = [
    "Please see below and advise.",
    "Forwarding for your attention.",
    "Received today - over to you.",
    "Is this one for you? Thanks.",
    "See attached/below, let me know what you'd like me to do.",
]


def reply_prefix(rng: random.Random) -> str:
    return rng.choice(("RE: ", "Re: "))


def forward_prefix(rng: random.Random) -> str:
    return rng.choice(("FW: ", "Fw: "))


def _outlook_date(when: datetime) -> str:
    hour = when.hour % 12 or 12
    ampm = "AM" if when.hour < 12 else "PM"
    return f"{when.strftime('%A, %B')} {when.day}, {when.year} {hour}:{when.minute:02d} {ampm}"


def quote_block(
    body: str, quote: str, quote_from: tuple[str, str], when: datetime, subject: str
) -> str:
    """Outlook's reply (history below a rule, unquoted) or Apple Mail's ("On ... wrote:")."""
    name, addr = quote_from
    original = subject.split(": ", 1)[-1]
    if when.minute % 2:
        return (
            f"{body.rstrip()}\n\n________________________________\n"
            f"From: {name} <{addr}>\nSent: {_outlook_date(when)}\n"
            f"Subject: {original}\n\n{quote.strip()}\n"
        )
    quoted = "\n".join(("> " + line).rstrip() for line in quote.strip("\n").split("\n"))
    stamp = f"{when.day} {when.strftime('%b %Y')}, at {when.strftime('%H:%M')}"
    return f"{body.rstrip()}\n\n> On {stamp}, {name} <{addr}> wrote:\n>\n{quoted}\n"


def forward_block(
    note: str,
    original: str,
    sender: Any,
    when: datetime,
    subject: str,
    to: tuple[str, str],
) -> str:
    """Outlook's inline forward ("-----Original Message-----") or Apple Mail's."""
    if when.minute % 2:
        return (
            f"{note}\n\n-----Original Message-----\n"
            f"From: {sender.name} <{sender.addr}>\n"
            f"Sent: {_outlook_date(when)}\n"
            f"To: {to[0]} <{to[1]}>\n"
            f"Subject: {subject}\n\n"
            f"{original.rstrip()}\n"
        )
    stamp = f"{when.day} {when.strftime('%B %Y')} at {when.strftime('%H:%M')}"
    return (
        f"{note}\n\nBegin forwarded message:\n\n"
        f"From: {sender.name} <{sender.addr}>\n"
        f"Subject: {subject}\n"
        f"Date: {stamp}\n"
        f"To: {to[0]} <{to[1]}>\n\n"
        f"{original.rstrip()}\n"
    )
