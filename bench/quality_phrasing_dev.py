# ruff: noqa: E501  (letter text: a paragraph is one line, as mail clients send it)
"""Phrasings of the quality corpus's ``dev`` half (see ``build_quality_corpus.py``).

Pure data: one dict per kind of letter, with ``{placeholders}`` the builder fills with invented
values. ``who`` names the sender pool, ``refs`` maps a case-identifying ref to the placeholder
that holds its value, ``quote`` (the practitioner's earlier message) makes it a reply, ``ics``
an invitation, ``pdf`` an attachment. The ``holdout`` half is written separately, in other
words, so that rules tuned here can be checked on wording they have never seen.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any


def T(kind: str | None, who: str, subject: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "who": who, "subject": subject, "body": body, **extra}


REF_FORMATS = {
    "pa": ["A#########", "##########", "PA-######", "2026-#####"],
    "claim": ["#############", "E##########", "CLM-########"],
    "icn": ["#############"],
    "ukauth": ["########", "BU-######"],
    "sol": ["HL/PI/####/@@", "PGS.PI.####", "@@@/#####/@@", "KIL-##-#####"],
    "yourref": ["HPSM/####", "EOT-###"],
    "ehc": ["EHC/2026/#####", "SEN-EHC-#####", "EHCNA/####"],
    "dfg": ["DFG/2026/####", "HA-#####"],
    "lab": ["@@#######", "##########", "R-########"],
    "order": ["FS-#######", "######", "SO-######"],
    "medorder": ["#########", "PO-######"],
    "lic": ["A######", "G#####", "##-######"],
    "dea": ["@@#######"],
    "hcpc": ["OT#####"],
    "gmc": ["#######"],
    "caqh": ["########"],
    "policy": ["MPL-#######", "PL######"],
    "ubrn": ["#### #### ####"],
    "rref": ["REF-######", "SR-#####"],
    "booking": ["REG-######", "########"],
}

# --------------------------------------------------------------------------- payer
PAYER = [
    T(
        "prior_auth",
        "us_payer",
        "Prior authorization request received",
        """
Dear Provider,

We have received a request for prior authorization for the member listed below. The request is in review; you will be notified of our decision.

Member: {patient}
Date of birth: {dob}
Member ID: {member_id}
Requested service: {procedure} (CPT {cpt})
Authorization number: {pa}

Standard requests are decided within 7 calendar days of receipt. To check status, log in to the provider portal and search by the authorization number.

Utilization Management
{org}
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "prior_auth",
        "bm",
        "Action needed: clinical information for case {pa}",
        """
Case number: {pa}
Patient: {patient} (DOB {dob})
Procedure: {procedure}

Our clinical reviewer could not complete the review of this request with the information received. Please submit the following by {due}:

- office notes from the last 60 days documenting the physical examination
- a description of conservative care tried (physical therapy, medication, activity modification) and how long it lasted
- reports of any prior imaging

Upload the documents through the web portal or fax them with the case number on every page. If nothing is received, the request will be decided on the information we have.

{org} Clinical Review
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "prior_auth",
        "us_payer",
        "Authorization approved - {procedure}",
        """
Good news: the service below has been approved.

Patient name: {patient}
Member ID: {member_id}
Service: {procedure}, CPT {cpt}
Approval number: {pa}
Valid: {today} through {later}
Units approved: 1

Please include the approval number on the claim. An authorization is not a guarantee of payment; benefits depend on the member's eligibility and plan terms on the date of service.

{org} Provider Services
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "prior_auth",
        "us_payer",
        "Adverse determination notice - precertification",
        """
RE: {patient}, DOB {dob}
Reference #: {pa}
Requested: {procedure} ({cpt})

Dear {practitioner},

After review of the clinical information submitted, a physician reviewer has determined that the requested service does not meet medical necessity criteria. The records do not show a trial of at least six weeks of supervised conservative treatment. The request is denied.

You may request a peer-to-peer discussion within 14 days by calling the number on the portal. The member, or you on the member's behalf, may file an appeal within 180 days of this notice.

Sincerely,
Medical Director
{org}
""",
        refs={"pa_ref": "pa"},
    ),
    T(
        "claim",
        "us_payer",
        "Claim denied - action may be required",
        """
Claim number: {claim}
Patient: {patient}
Date of service: {dos}
Billed amount: ${amount2}
Allowed: $0.00

This claim has been denied.
Reason: CO-197 Precertification/authorization/notification absent.
Remark: N54 Claim information is inconsistent with pre-certified/authorized services.

If you believe the claim was processed in error, submit a reconsideration with supporting documentation within 180 days of this notice.

{org} Claims
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "claim",
        "us_payer",
        "Your payment has been issued",
        """
A payment has been issued to {practice}.

Payment amount: ${amount}
Payment method: EFT
EFT trace number: {trace}
Payment date: {today}

Claim number: {claim}
Patient: {patient}
Date of service: {dos}
Patient responsibility: $40.00

The 835 remittance file is available to download from the provider portal.
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "claim",
        "us_payer",
        "Medical records needed to process claim",
        """
Dear Provider,

We are reviewing the claim below and need the medical records for the date of service before we can finish processing it.

Claim #: {claim}
Member: {patient}
Date of service: {dos}
Procedure billed: {cpt}

Please send the office note, procedure note and any imaging reports by {due}. If we do not receive them, the claim will be denied for lack of information.

Claims Review Unit
{org}
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "claim",
        "mac",
        "Medicare redetermination decision",
        """
MEDICARE REDETERMINATION NOTICE

Beneficiary: {patient}
Claim number: {icn}
Date(s) of service: {dos}
Item or service: {cpt}

We have completed our review of your request for a redetermination of the claim listed above. The decision is unfavorable: the initial determination is affirmed because the documentation does not support the medical necessity of the service.

If you disagree, you may ask for a reconsideration by a Qualified Independent Contractor. Your request must be received within 180 days of the date you receive this notice.

{org}
""",
        refs={"claim_ref": "icn"},
    ),
    T(
        "insured_treatment",
        "uk_insurer",
        "Treatment authorised for your patient",
        """
Dear {practitioner},

We're writing to confirm that we have authorised the following treatment for our member.

Member name: {patient}
Membership number: {member_uk}
Pre-authorisation number: {ukauth}
Treatment: occupational therapy, initial assessment and {sessions} follow-up sessions
Authorised until: {later}

Please quote the pre-authorisation number on your invoice. If further treatment is needed, send us a progress report before the authorised sessions are used.

Kind regards,
Provider Services
{org}
""",
        refs={"pa_ref": "ukauth"},
    ),
    T(
        "insured_treatment",
        "uk_insurer",
        "We need more information before we can approve further sessions",
        """
Dear {practitioner},

Your patient {patient} has used the sessions we agreed under claim number {ukauth}. Before we can consider further treatment we need an up-to-date clinical report, including:

- the treatment given so far and the progress made
- the goals of further treatment and how many sessions you expect to need
- the expected discharge date

Please send the report to us by {due}. We'll let you know our decision within 5 working days of receiving it.

Best wishes,
Claims Team, {org}
""",
        refs={"pa_ref": "ukauth"},
    ),
    T(
        "prior_auth",
        "us_payer",
        "Peer-to-peer request - auth {pa}",
        """
Hello,

Thank you for your request. A peer-to-peer conversation with our medical director has been scheduled for {weekday} at {time} PM Eastern. Please call the number below at that time and have the case details ready. The authorization remains under review until the discussion has taken place.

Clinical Intake Team
{org}
""",
        refs={"pa_ref": "pa"},
        quote="""
Hello,

I would like to schedule a peer-to-peer review for the request above ({procedure} for {patient}). I am available {weekday} afternoons.

{practitioner}
""",
    ),
    T(
        "claim",
        "us_payer",
        "Appeal decision for claim {claim}",
        """
Dear Provider,

We have completed our review of the appeal you submitted for the claim below.

Claim number: {claim}
Patient: {patient}
Date of service: {dos}

Decision: Overturned. After review of the additional records, we have reversed our original decision. The claim will be reprocessed and any payment due will be issued within 30 days.

Appeals Department
{org}
""",
        refs={"claim_ref": "claim"},
    ),
    T(
        "prior_auth",
        "us_payer",
        "Precertification approved; note about an earlier claim",
        """
The precertification request for {patient} (member ID {member_id}) has been approved.

Precertification number: {pa}
Service: {procedure}
Approved from {today} to {later}

Separately, our records show an earlier claim for this member was denied for missing authorization. Now that this request is approved, you may resubmit that claim with the precertification number above.

{org} Precertification Unit
""",
        refs={"pa_ref": "pa"},
    ),
]

# --------------------------------------------------------------------------- solicitor
SOLICITOR = [
    T(
        "medico_legal",
        "uk_firm",
        "Expert enquiry - {initials} v {defendant}",
        """
Dear {practitioner},

We act for the Claimant in a personal injury claim arising from an accident at work on {earlier}. Our client sustained a wrist and hand injury and is left with ongoing difficulty with daily activities.

We are looking for an independent expert to prepare a report on care and assistance needs. Could you let us know:

1. whether you have any conflict of interest (the Defendant is {defendant} Logistics Ltd);
2. your fee for the report and your hourly rate for any further work;
3. your current waiting time for an appointment and for the report.

Our ref: {sol}

Kind regards,
{sender}
Associate, {org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Letter of instruction: {patient}",
        """
Dear {practitioner},

Our client: {patient}
Date of birth: {dob}
Date of accident: {earlier}
Our ref: {sol}
Your ref: {yourref}

Thank you for confirming that you can assist. We now formally instruct you to examine our client and prepare a report on condition and prognosis in accordance with Part 35 of the Civil Procedure Rules and Practice Direction 35.

Please find enclosed the medical records and our client's witness statement. Your report should address the extent of the injuries, treatment to date, prognosis and any future care needs.

Your fees will be paid within 30 days of receipt of your invoice. We should be grateful to receive your report within 8 weeks of the examination.

Yours sincerely,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
        pdf="Letter of Instruction.pdf",
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Outstanding report - {patient}",
        """
Dear {practitioner},

We refer to our letter of instruction dated {earlier} and note that we have not yet received your report. The Defendant's solicitors are pressing for service of our evidence and we have a court deadline to meet.

Please let us know by return when we can expect the report. If there is a difficulty, do call me.

Our reference: {sol}

Regards,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "us_firm",
        "Request for medical records and billing - {patient}",
        """
To the Custodian of Records:

This office represents {patient} (DOB {dob}) in connection with injuries sustained on {earlier}. Enclosed please find an authorization signed by our client that complies with HIPAA.

Please provide complete copies of all medical records, imaging reports and itemized billing statements for dates of service from {earlier} to the present. We will pay reasonable copying charges on receipt of your invoice.

Our ref: {sol}

Thank you,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Part 35 questions - {initials} v {defendant}",
        """
Dear {practitioner},

We enclose questions put to you by the Defendant's solicitors pursuant to CPR 35.6 in respect of your report dated {earlier}. The questions were served on {date} and the answers will form part of your report.

Please answer them within 28 days, that is by {due}, and send your replies to us so that we can serve them.

Our ref: {sol}

Yours faithfully,
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Trial listing - dates to avoid",
        """
Dear {practitioner},

Re: {patient} v {defendant} Ltd
Our ref: {sol}

The court has listed this matter for a three-day trial in a window starting {later}. Please send us your dates to avoid for the twelve months from that date as soon as possible, and in any event by {due}, so that we can file them with the court.

You may be required to attend to give evidence. We will confirm the arrangements once the hearing date is fixed.

Kind regards,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "{patient} - claim concluded",
        """
Dear {practitioner},

Our ref: {sol}

We write to let you know that our client's claim has now settled, so we will not need your attendance at trial or any further work on this matter.

Thank you for your help. If any invoice remains outstanding please send it to us and we will arrange payment.

Yours sincerely,
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Payment of your invoice {invoice}",
        """
Dear {practitioner},

Our ref: {sol}
Client: {patient}

We confirm that we have today paid £{amount} by BACS to your nominated account in settlement of your invoice {invoice}.

Many thanks,
Accounts Department
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "mro",
        "New instruction - appointment request",
        """
Dear Doctor,

We have received instructions to obtain a medical report on the claimant below and would like you to act as the expert.

Claimant: {patient}
Date of birth: {dob}
Accident date: {earlier}
Injuries: neck, right shoulder
Our reference: {sol}

Please log in to the expert portal to accept the instruction and offer appointment dates within the next 14 days. The agreed fee is payable on delivery of the report.

Instructions Team
{org}
""",
        refs={"solicitor_ref": "sol"},
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Availability to examine our client",
        """
Dear {practitioner},

Thank you. {weekday} at {time} is convenient for our client and I have let them know. We will send the letter of instruction and the records before the appointment.

Our ref: {sol}

Best wishes,
{sender}
""",
        refs={"solicitor_ref": "sol"},
        quote="""
Dear {sender},

Thank you for your enquiry. I can see your client on {weekday} {later} at {time} in my clinic. My fee for a condition and prognosis report is £850.

{practitioner}
""",
    ),
    T(
        "medico_legal",
        "uk_firm",
        "Our ref: {sol} - letter attached",
        """
Please see the attached letter regarding our client {patient}.

Kind regards
{sender}
{org}
""",
        refs={"solicitor_ref": "sol"},
        pdf="letter.pdf",
    ),
    T(
        "medico_legal",
        "uk_firm",
        "{patient} - records and report timing",
        """
Dear {practitioner},

We enclose a signed form of authority so that you can release your clinical notes for {patient} to us. We would also be grateful for an update on when your report will be ready, as the limitation date is approaching.

Our ref: {sol}

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
        "EHC needs assessment - request for advice - {first} {last}",
        """
Dear {practitioner},

Child: {patient}
Date of birth: {child_dob}
School: {school}
EHC reference: {ehc}

The local authority has agreed to carry out an Education, Health and Care needs assessment for the child named above. As part of the assessment we are asking for occupational therapy advice under the Special Educational Needs and Disability Regulations 2014.

Please return your advice using the attached template by {due}. The law requires advice to be provided within six weeks of our request.

Kind regards,
{sender}
SEND Officer, {org}
""",
        refs={"ehcp_ref": "ehc"},
        pdf="OT advice template.pdf",
    ),
    T(
        "ehcp",
        "council",
        "Draft EHC plan - {first} {last}",
        """
Dear colleague,

Please find attached the draft Education, Health and Care plan for {patient} (EHC ref {ehc}). Parents have 15 days to comment and to name a preferred school.

If there is anything in sections G or H that does not reflect your advice, please let me know by {due}.

Regards,
{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "ehcp",
        "council",
        "Invitation: Annual review - {first} {last}",
        """
Invitation: Annual review - {first} {last} @ {weekday}, {later}

Dear all,

The annual review meeting for {patient} will be held at {school} on {later} at {time}. Please send any written advice at least two weeks before the meeting so that it can be circulated.

EHCP reference: {ehc}

{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
        ics="Annual review - {first} {last}",
    ),
    T(
        "ehcp",
        "council",
        "Reminder: EHC advice overdue - {ehc}",
        """
Dear {practitioner},

Our records show that we have not yet received your advice for the EHC needs assessment of {patient}, which was due on {earlier}. Statutory timescales are now at risk.

Please send your advice as soon as possible, or let us know when we can expect it.

Thank you,
{sender}
SEND Casework Officer
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "ehcp",
        "council",
        "SEND Tribunal appeal - updated report requested",
        """
Dear {practitioner},

The parents of {patient} (EHC ref: {ehc}) have lodged an appeal with the First-tier Tribunal (Special Educational Needs and Disability) against sections B, F and I of the plan. The local authority is preparing its response.

Could you provide an updated report on the child's occupational therapy needs by {due}? The hearing is expected in the spring.

Regards,
{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
    ),
    T(
        "adaptation",
        "housing",
        "Disabled Facilities Grant - OT assessment needed",
        """
Dear {practitioner},

We have received an enquiry about a Disabled Facilities Grant for the home of {patient}. Before we can progress the application we need an occupational therapy assessment of the adaptations required (a level access shower and a stairlift have been requested).

Grant reference: {dfg}

Please let us know whether you can carry out the assessment and your earliest availability.

Home Improvement Agency
{org}
""",
        refs={"adaptation_ref": "dfg"},
    ),
    T(
        "ehcp",
        "council",
        "Final EHC plan issued - {ehc}",
        """
Dear colleague,

The final Education, Health and Care plan for {patient} has now been issued to the family. A copy is attached for your records. Thank you for your advice, which is reflected in sections G and H.

{sender}
{org}
""",
        refs={"ehcp_ref": "ehc"},
        pdf="Final EHC plan.pdf",
    ),
    T(
        "ehcp",
        "council",
        "OT advice for {first} {last}",
        """
Dear {practitioner},

Thank you for your advice, which has been received and added to the assessment file for EHC ref {ehc}. We will be in touch once the draft plan has been issued.

Kind regards,
{sender}
""",
        refs={"ehcp_ref": "ehc"},
        quote="""
Dear {sender},

Please find attached my occupational therapy advice for {patient}. Apologies for the short delay.

{practitioner}
""",
    ),
    T(
        "adaptation",
        "housing",
        "Grant approved: adaptations for {patient}",
        """
Dear {practitioner},

I am pleased to tell you that the Disabled Facilities Grant application (reference {dfg}) has been approved, following your recommendations. The contractor will contact the applicant to arrange the works.

Private Sector Housing
{org}
""",
        refs={"adaptation_ref": "dfg"},
    ),
    T(
        "ehcp",
        "council",
        "Request for professional advice - EHC assessment",
        """
Dear {practitioner},

We are writing to request professional advice for the Education, Health and Care needs assessment of {patient}, date of birth {child_dob}, who attends {school}. The family have also asked social care about equipment at home; that request is being handled separately by the children's disability team.

Your advice should cover the child's needs, the provision required to meet them and the outcomes sought. Please send it to us within six weeks, by {due}.

Case reference: {ehc}

SEND Assessment Team
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
        "Referral - {patient}",
        """
Dear Colleague,

Re: {patient}   DOB: {dob}
NHS number: {nhs}

Thank you for seeing this {age}-year-old who has had lateral hip pain for four months, worse on stairs and lying on that side. Examination suggests greater trochanteric pain syndrome. She has tried a course of NHS physiotherapy with limited benefit and would like to be seen privately.

Past history: asthma. Medication: salbutamol inhaler.

Many thanks,
{sender}
General Practitioner, {org}
""",
    ),
    T(
        "referral",
        "us_clinician",
        "New patient referral: {patient}",
        """
Hi {practitioner},

I'm referring {patient} (DOB {dob}), a {age}-year-old recreational {sport} player who is 10 weeks out from ACL reconstruction. I would like your help with return-to-sport planning and a functional assessment.

Patient: {patient}
Phone: on file with our office
Insurance: see attached face sheet
Referral ID: {rref}

Op note and clinic notes attached. Thanks as always.

{sender}
{org}
""",
        refs={"referral_ref": "rref"},
        pdf="Referral packet.pdf",
    ),
    T(
        "referral",
        "uk_referrer",
        "Referring a client for OT assessment",
        """
Hi {practitioner},

I'd like to refer one of my clients, {patient} (date of birth {dob}), for an occupational therapy assessment. She is recovering from a wrist fracture and is struggling with work tasks and fatigue. She's happy for me to pass on her details and will self-fund.

Let me know if you need anything else from me.

Best,
{sender}
{org}
""",
    ),
    T(
        "referral",
        "us_coach",
        "Can you see one of my athletes?",
        """
Hey Doc,

One of my runners, {patient}, has had shin pain for three weeks and it's getting worse on longer runs. Could you see him this week or next? He's {age}, training for a half marathon.

Athlete: {patient}, DOB {dob}
Best number: (541) 555-01{number}

Thanks!
{sender}
""",
    ),
    T(
        "referral",
        "uk_referrer",
        "New referral: {patient} - home and work assessment",
        """
Dear {practitioner},

Client name: {patient}
Date of birth: {dob}
Referral reference: {rref}

I am the case manager for the above client following a road traffic collision in {earlier}. We would like to commission an occupational therapy assessment covering home adaptations, equipment and a graded return to work. The costs are funded by the insurer under the Rehabilitation Code.

Please contact the client directly to arrange a visit and send your report to me.

Kind regards,
{sender}
{org}
""",
        refs={"referral_ref": "rref"},
    ),
    T(
        "referral",
        "us_allied",
        "Patient referral for integrative workup",
        """
Hi {practitioner},

I have a patient I think would benefit from a full integrative medicine evaluation: {patient}, {age}, with fatigue, bloating and poor sleep for about a year. She has been seeing me for acupuncture and would like a workup of her thyroid and gut health.

Patient: {patient} (DOB {dob})

I've told her to expect a call from your front desk. Happy to coordinate care.

Warmly,
{sender}
{org}
""",
    ),
    T(
        "referral",
        "us_clinician",
        "Referral: {patient}",
        """
Thanks for seeing {first} so quickly and for the detailed letter. I agree with the plan and will see him back in clinic after your review. Please keep me posted on progress.

{sender}
""",
        quote="""
Hi {sender},

Thanks for the referral. I saw {first} today; initial assessment letter attached. Plan is a graded loading programme and review in 4 weeks.

{practitioner}
""",
    ),
    T(
        "referral",
        "nhs_hospital",
        "Clinic letter: {patient}",
        """
Dear {practitioner},

Patient: {patient}   Date of birth: {dob}

I reviewed this patient in the hand clinic today following your referral. X-rays show a healed distal radius fracture. I have discharged her from fracture clinic and would be grateful if you could continue her hand therapy and graded return to work.

Yours sincerely,
{sender}
Consultant Orthopaedic Surgeon
""",
    ),
    T(
        "referral",
        "gp",
        "Referral letter attached",
        """
Please find attached a referral for the patient below.

Patient name: {patient}
Date of birth: {dob}
UBRN: {ubrn}
Priority: routine

Reason for referral: chronic plantar heel pain, failed first-line management.

Referring clinician: {sender}, {org}
""",
        refs={"referral_ref": "ubrn"},
        pdf="Referral letter.pdf",
    ),
]

# --------------------------------------------------------------------------- team
TEAM = [
    T(
        "team",
        "team",
        "2026 fall schedule + medical coverage",
        """
Hi {practitioner},

Attached is our fall {sport} schedule. We would love to have you or one of your providers on the sideline for the home games marked with an asterisk, like last season.

Sept 12 vs. Westlake (home)*
Sept 19 at North Valley
Sept 26 vs. Lincoln (home)*
Oct 3 at Mountain View
Oct 10 vs. Central (home, homecoming)*

Let me know which dates work and I'll put you on the staff list.

Thanks,
{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Invitation: Medical cover - tournament day @ {weekday}",
        """
You have been invited to the following event.

Medical cover - {sport} tournament
When: {weekday} {later}, 8:00am - 4:00pm
Where: main field complex

We have 16 teams coming in for the tournament and need a physician on site for the day. Lunch provided!

{sender}
""",
        ics="Medical cover - {sport} tournament",
    ),
    T(
        "team",
        "team",
        "Pre-participation physicals for the winter teams",
        """
Hi {practitioner},

We need to get physicals done for about {number} athletes before winter sports start. Could your clinic run a screening night in the gym like last year? We were thinking of {weekday} {later} from 5 to 8 pm.

The forms are the standard state PPE forms; I'll have the history sections filled in beforehand.

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Injury update - #{jersey}",
        """
Doc,

Athlete: {patient}
Sport: {sport}
Date of injury: {date}

{first} went down in practice yesterday after a collision, took a knock to the head and reported a headache and dizziness. We removed him from play and started our concussion protocol. Symptoms are improving today.

Could you see him this week for evaluation? Parents are aware.

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Team physician agreement for 2026-27",
        """
Hi {practitioner},

Attached is the team physician services agreement for the coming season. The only change from last year is the addition of two tournament days. Could you review, sign and send it back by {due}?

Thanks,
{sender}
{org}
""",
        pdf="Team physician agreement.pdf",
    ),
    T(
        "team",
        "team",
        "Sideline cover this Saturday",
        """
Great, thank you! Please be at the field by 12:15 for a 1:00 kick-off. Parking is behind the clubhouse. We'll have ice and the trainer's kit ready.

{sender}
""",
        quote="""
Hi {sender},

I can cover Saturday's game. I'll bring the AED and the usual kit. What time should I arrive?

{practitioner}
""",
    ),
    T(
        "team",
        "team",
        "Clearance paperwork for {first}",
        """
Hi {practitioner},

{patient} has finished the return-to-play progression with our athletic trainer and has been symptom free at every step. We need a signed clearance letter from you before she can play in Friday's match. Could you send it over?

{sender}
{org}
""",
    ),
    T(
        "team",
        "team",
        "Schedule for next month and an injury note",
        """
Hi {practitioner},

Next month's home {sport} fixtures are on the 3rd, 10th and 24th. Same arrangements as before for medical cover.

Also, one of our players, {patient}, rolled an ankle in training; we are icing and resting it and will let you know if we need you to look at it.

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
        "New results available",
        """
New results have been released for a patient in your account.

Patient: {patient}
DOB: {dob}
Accession: {lab}
Report status: Final
Collected: {date}

Log in to view and print the report.

This notification contains no clinical data.
{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Specimen problem - recollection required",
        """
Dear Provider,

We were unable to process the specimen for the order below because the sample was hemolyzed on arrival.

Patient: {patient}
Order number: {lab}
Test: comprehensive metabolic panel, ferritin
Received: {date}

Please arrange a new collection at no charge. Use the original order number on the new requisition.

Client Services
{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Test kit on its way to your patient",
        """
Hi {practitioner},

The collection kit for your patient {patient} has shipped via FedEx and should arrive in 2-3 business days.

Order #: {lab}
Test: comprehensive stool analysis

The kit contains the patient instructions and a prepaid return label.

{org} Customer Care
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Courier collection booked",
        """
Hello,

A courier collection has been booked for your clinic on {weekday} between 2 pm and 5 pm. Please have the samples packed and labelled with the requisition number: {lab}.

Thank you,
{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Results ready: {initials} - {lab}",
        """
Dear {practitioner},

The results for your patient are now ready.

Patient: {patient}
Order no: {lab}
Tests: Vitamin D (25-OH), B12, folate, full blood count
Flags: 1 result outside the reference range

Please log in to the clinician portal to review the report. If you have any questions, our clinical team is available on weekdays.

{org}
""",
        refs={"order_ref": "lab"},
    ),
    T(
        "lab_result",
        "lab",
        "Missing result for accession {lab}",
        """
Hello,

Thank you for letting us know. The sample for the awakening response was insufficient for testing, so that section could not be reported. A corrected report with this note has been released to your portal.

Kind regards,
Client Services
""",
        refs={"order_ref": "lab"},
        quote="""
Hi, we received the report for {patient} but the cortisol awakening response section is blank. Can you check?

{practitioner}
""",
    ),
    T(
        "lab_result",
        "lab",
        "Your patient's hormone report is ready",
        """
The hormone report for {patient} (order {lab}) is complete and available in your provider account.

Want help interpreting the results? Book a free 15-minute clinical consult with one of our educators.

{org}
""",
        refs={"order_ref": "lab"},
    ),
]

# --------------------------------------------------------------------------- cme
CME = [
    T(
        "cme",
        "cme_us",
        "Registration confirmed: {course}",
        """
Dear {practitioner},

Thank you for registering for {course}.

Registration ID: {booking}
Date: {later}
Format: live online, 9:00 am - 4:30 pm
CME: this activity is designated for a maximum of {credits} AMA PRA Category 1 Credits.

The joining link will be sent one week before the course.

{org}
""",
        refs={"booking_ref": "booking"},
    ),
    T(
        "cme",
        "cme",
        "Your CME certificate is ready",
        """
Hello {practitioner},

Thank you for completing {course}. Your certificate for {credits} credits is now available to download from your learning account under My Certificates.

{org} Education
""",
    ),
    T(
        "cme",
        "cme",
        "Your annual CME transcript",
        """
Dear member,

Your CME transcript for the 2026 reporting year is now available. It lists every activity you have completed through us and the credits claimed.

Total credits this year: {credits}

Download it from your account to use for licensure or maintenance of certification.

{org}
""",
    ),
    T(
        "cme",
        "cme",
        "Reminder: {course} starts next week",
        """
Hi {practitioner},

This is a reminder that {course} starts on {later}. You're registered, so there is nothing else to do. Joining instructions and the pre-course reading are in your account.

See you there,
{org}
""",
    ),
    T(
        "cme",
        "cme_uk",
        "CPD certificate - {course}",
        """
Dear {practitioner},

Thank you for attending {course}. Your certificate of attendance, confirming {credits} hours of CPD, is attached. Please keep it in your CPD portfolio.

Kind regards,
{org} Learning Team
""",
        pdf="CPD certificate.pdf",
    ),
    T(
        "cme",
        "cme",
        "You're registered: {course} webinar",
        """
Thanks for registering! Here are your webinar details.

Webinar: {course}
When: {weekday}, {later}, 7:00 pm
Registration ID: {booking}

Add it to your calendar using the attached invitation.

{org}
""",
        refs={"booking_ref": "booking"},
        ics="{course} (webinar)",
    ),
    T(
        "cme",
        "cme",
        "Complete your evaluation to claim credit",
        """
Dear {practitioner},

You attended {course} on {earlier}. To receive your certificate and claim {credits} credits, please complete the short course evaluation in your account within 30 days.

{org}
""",
    ),
]

# --------------------------------------------------------------------------- credentialing
CREDENTIALING = [
    T(
        "credential",
        "state_board",
        "License renewal notice",
        """
Dear Licensee,

Our records show that your physician and surgeon license is due for renewal.

License number: {lic}
Expiration date: {later}

You can renew online through the licensing portal. Renewal requires the fee and confirmation that you have completed the required continuing medical education. Practicing with an expired license is prohibited.

Licensing Unit
{org}
""",
        refs={"licence_ref": "lic"},
    ),
    T(
        "credential",
        "dea",
        "DEA registration renewal reminder",
        """
This is a reminder that your DEA registration will expire on {later}.

Registration number: {dea}
Schedules: 2, 2N, 3, 3N, 4, 5

Renew online at least 45 days before expiration to avoid an interruption. The renewal application is available now.

{org}, Registration Section
""",
        refs={"licence_ref": "dea"},
    ),
    T(
        "credential",
        "caqh",
        "Action required: re-attest your CAQH ProView profile",
        """
Dear {practitioner},

It is time to re-attest your CAQH ProView profile. Health plans use your profile for credentialing, and it must be re-attested every 120 days.

CAQH Provider ID: {caqh}
Attestation due: {due}

Log in, review each section and click Attest. If you do not re-attest by the due date, your profile will expire and participating plans may not be able to access it.

CAQH ProView Support
""",
        refs={"licence_ref": "caqh"},
    ),
    T(
        "credential",
        "board_cert",
        "Continuing certification requirements due",
        """
Dear {practitioner},

Our records indicate that you have outstanding requirements for your current certification cycle, which ends {later}. To maintain your certification you must complete the remaining learning activities and pay the annual fee before that date.

You can review your status on your physician portfolio page.

{org}
""",
    ),
    T(
        "credential",
        "hospital",
        "Reappointment application - medical staff privileges",
        """
Dear {practitioner},

Your clinical privileges at our hospital expire on {later}. To continue on the medical staff, please complete the reappointment application in the credentialing portal by {due}, including your current license, DEA registration, malpractice certificate of insurance and case logs.

Medical Staff Office
{org}
""",
    ),
    T(
        "credential",
        "malpractice",
        "Your professional liability policy renewal",
        """
Dear {practitioner},

Your professional liability policy renews on {later}. Your renewal offer is attached, together with a short application asking about any claims or incidents since your last renewal.

Policy number: {policy}

Please return the completed application by {due} so that cover continues without a break.

Policy Services
{org}
""",
        refs={"licence_ref": "policy"},
        pdf="Renewal offer.pdf",
    ),
    T(
        "credential",
        "hcpc",
        "Renew your registration",
        """
Dear {practitioner},

Your registration as an occupational therapist is due for renewal. The renewal window is open now and closes on {later}.

Registration number: {hcpc}

To renew, sign in to the online portal, confirm that you continue to meet our standards, including CPD and professional indemnity, and pay your fee. If you do not renew by the deadline your registration will lapse and you will not be able to practise.

Registration Department
{org}
""",
        refs={"licence_ref": "hcpc"},
    ),
    T(
        "credential",
        "gmc",
        "Your revalidation date",
        """
Dear {practitioner},

GMC reference number: {gmc}

We are writing to let you know that your revalidation submission date is {later}. Your responsible officer will make a recommendation about your revalidation on or before that date, based on your annual appraisals.

Please make sure your connection to a designated body is up to date.

Revalidation team
{org}
""",
        refs={"licence_ref": "gmc"},
    ),
    T(
        "credential",
        "uk_indemnity",
        "Your indemnity insurance renewal",
        """
Dear {practitioner},

Your medical malpractice and public liability cover is due to expire on {later}. We have prepared your renewal terms, which are attached.

Policy number: {policy}

To renew, simply confirm the details are correct and pay the premium online. Remember that your regulator requires you to hold appropriate indemnity.

{org}
""",
        refs={"licence_ref": "policy"},
    ),
    T(
        "credential",
        "payer_cred",
        "Recredentialing: your application is due",
        """
Dear {practitioner},

As part of our recredentialing cycle, which takes place every three years, we need to verify your information to keep you in our network.

Please make sure your CAQH profile is current and attested, and complete the attached form by {due}. Providers who are not recredentialed on time are removed from the network.

Network Management
{org}
""",
        pdf="Recredentialing form.pdf",
    ),
    T(
        "credential",
        "state_board",
        "Your license has been renewed",
        """
Your license has been successfully renewed.

License number: {lic}
New expiration date: {later}

You can print a copy of your license from the online services portal. Thank you for renewing promptly.

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
        "Order confirmation #{order}",
        """
Hi {practitioner},

Thank you for your order! We're getting it ready.

Order #{order}
Placed: {today}

Magnesium glycinate 120 caps x 6
Omega-3 1000 mg 60 softgels x 4
Vitamin D3/K2 liquid x 3

Subtotal: ${amount}
Shipping: Free

We'll email you when it ships.
{org}
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Your order has shipped",
        """
Good news - your order is on its way.

Order number: {order}
Carrier: UPS
Tracking: 1Z{trace}

Estimated delivery: {later}

{org}
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Invoice for order {order}",
        """
Dear customer,

Please find attached your invoice for order {order}. Payment is due within 30 days.

Amount due: ${amount}
Due date: {due}

Thank you for your business,
Accounts Receivable, {org}
""",
        refs={"order_ref": "order"},
        pdf="invoice.pdf",
    ),
    T(
        "supplement_order",
        "supplement",
        "Item on back-order",
        """
Hi,

One item on your recent order {order} is temporarily out of stock: Adrenal Support 60 caps. We've shipped the rest of your order and will send this item as soon as it's back in stock, expected in 2-3 weeks.

Sorry for the delay.
{org} Customer Service
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Product recall notice - action required",
        """
Dear Practitioner,

As a precaution, we are voluntarily recalling lot 24C118 of our Probiotic 50B capsules because testing found a possible undeclared milk allergen. Our records show you purchased this lot (order {order}).

Please stop dispensing the product, quarantine any remaining stock and contact patients who may have received it. We will credit your account for all returned units.

Quality Assurance
{org}
""",
        refs={"order_ref": "order"},
    ),
    T(
        "supply_order",
        "medsupply",
        "We received your order",
        """
Thank you for your order with {org}.

Order number: {medorder}
Ship to: {practice}

1 x Ultrasound gel 5 L
2 x Nitrile gloves, medium, box of 100
1 x Kinesiology tape, 6 rolls

Items in stock ship today. You will receive a shipping confirmation with tracking.
""",
        refs={"order_ref": "medorder"},
    ),
    T(
        "supply_order",
        "medsupply",
        "Your order has been dispatched",
        """
Dear customer,

Your order {medorder} has been dispatched today by next-day courier. Items: 1 x perching stool, 2 x long-handled reachers, 1 x bath board.

Thank you for shopping with {org}.
""",
        refs={"order_ref": "medorder"},
    ),
    T(
        "supplement_order",
        "supplement",
        "Statement of account - {today}",
        """
Dear customer,

Your monthly statement is attached. It lists the invoices issued to {practice} this month and the payments received.

Balance due: ${amount2}
Payment terms: 30 days

Accounts Receivable
{org}
""",
        pdf="statement.pdf",
    ),
]

# --------------------------------------------------------------------------- research
RESEARCH = [
    T(
        "research",
        "journal",
        "{org}: latest issue now online (Vol {vol}, Issue {issue})",
        """
{org}
Volume {vol}, Issue {issue}

Original research
- Load management and injury risk in youth {sport}: a cohort study
- Ultrasound-guided versus landmark injection for shoulder pain: randomised trial
- Return to sport after anterior cruciate ligament reconstruction in women

Reviews
- Exercise therapy for tendinopathy: an umbrella review

Read the full issue online. You are receiving this alert because you signed up for table of contents emails. Manage your alerts.
""",
    ),
    T(
        "research",
        "digest",
        "This week's evidence digest",
        """
{org}

In this week's issue:
1. Vitamin D supplementation and stress fractures: meta-analysis of 12 trials. Bottom line: modest benefit in military recruits, uncertain in athletes.
2. Graded activity versus pacing for fatigue: a new randomised trial.
3. Blood flow restriction training after knee surgery: systematic review.

Unsubscribe | Update preferences
""",
    ),
    T(
        "research",
        "digest",
        "What's new for 'tendinopathy exercise' in PubMed",
        """
This message contains My NCBI what's new results from the National Center for Biotechnology Information (NCBI) at the U.S. National Library of Medicine (NLM).

Search: tendinopathy exercise
Results: {number} new citations

1. Heavy slow resistance versus eccentric training for patellar tendinopathy: a randomised trial.
2. Isometric loading for pain relief in tendinopathy: systematic review.

To unsubscribe from these e-mail updates click here.
""",
    ),
    T(
        "research",
        "journal",
        "Online First articles from {org}",
        """
New articles published online ahead of print:

- Sleep extension and reaction time in collegiate athletes
- Hand therapy after flexor tendon repair: a core outcome set
- Prescribing exercise for knee osteoarthritis in primary care

View all Online First articles.

{org}
""",
    ),
    T(
        "research",
        "digest",
        "New and updated reviews this month",
        """
New and updated systematic reviews published this month:

- Exercise for chronic low back pain (updated)
- Occupational therapy for adults with fatigue after viral illness (new)
- Shockwave therapy for plantar heel pain (new)

Read the plain language summaries online.

{org}
""",
    ),
]

# --------------------------------------------------------------------------- unclassified
NULL = [
    T(
        None,
        "payer_news",
        "Provider newsletter: December updates",
        """
In this edition

Prior authorization list changes effective January 1
We are removing 24 outpatient procedure codes from our precertification list and adding several genetic tests. See the full list on our provider website.

Claims: new corrected-claim frequency codes
From February, corrected claims must use frequency code 7 and include the original claim number.

Quality corner: flu vaccination reminders for your patients.

You are receiving this newsletter because you are a participating provider. Unsubscribe or manage your email preferences.
{org}
""",
    ),
    T(
        None,
        "payer_news",
        "Join our webinar: getting prior authorizations right the first time",
        """
Dear provider partner,

Join our utilization management team for a free 45-minute webinar on {later} at 12 pm ET. We'll cover the most common reasons requests are pended for additional information, how to submit clinical notes through the portal and what's changing next year.

Register now - seats are limited.

{org} Provider Engagement
To stop receiving these emails, unsubscribe here.
""",
    ),
    T(
        None,
        "council_news",
        "SEND Local Offer newsletter - autumn term",
        """
Welcome to the autumn edition of our SEND newsletter for families and professionals.

In this issue:
- Changes to how we process requests for EHC needs assessments
- Annual reviews: what to expect and how to prepare
- Parent carer forum coffee mornings
- Short breaks and holiday activities

Find out more on the Local Offer website.

You are receiving this because you subscribed to SEND updates. Unsubscribe.
{org}
""",
    ),
    T(
        None,
        "council_news",
        "Garden waste collection - renew your subscription",
        """
Dear resident,

Your garden waste subscription expires on {later}. Renew now to keep your collections going without a break: the annual charge is £52.

Renew online in two minutes. If you do not renew, your bin will no longer be emptied.

{org}
""",
    ),
    T(
        None,
        "lab_marketing",
        "Introducing our new women's health panel",
        """
We're excited to introduce a new comprehensive women's health panel, covering hormones, thyroid, iron studies and vitamin D from a single blood draw.

- Results in 3 working days
- Free kit delivery to your patients
- Practitioner pricing from $129

Order kits for your clinic today.

Unsubscribe from marketing emails.
{org}
""",
    ),
    T(
        None,
        "cme_marketing",
        "Early-bird rate ends Friday: {course}",
        """
Don't miss out!

Join colleagues for {course}, a two-day hands-on course with expert faculty. Earn up to {credits} CME credits.

Early-bird pricing ends this Friday - save $200.

Register now | View the agenda

You are receiving this email because you attended a previous event. Unsubscribe.
{org}
""",
    ),
    T(
        None,
        "supplier_marketing",
        "Practitioner exclusive: 20% off this week",
        """
This week only: 20% off your entire order, plus free shipping on orders over $150.

New this season: our sleep support formula and a refreshed magnesium range.

Shop now - offer ends Sunday at midnight.

You're receiving this because you have a practitioner account. Manage preferences | Unsubscribe
{org}
""",
    ),
    T(
        None,
        "journal_marketing",
        "Call for papers: special issue on youth sport",
        """
Dear researcher,

We are inviting submissions for a special issue on injury prevention in youth sport. Original research, systematic reviews and consensus statements are welcome.

Submission deadline: {later}

Find out more and submit your manuscript online.

{org}
""",
    ),
    T(
        None,
        "cred_news",
        "News for registrants: our consultation on fees",
        """
Dear registrant,

We are consulting on proposed changes to our registration fees from next year and would like to hear your views. The consultation is open until {later}.

Also in this update:
- New guidance on social media use
- Our annual report is published

Read more on our website. You can update your communication preferences at any time.
{org}
""",
    ),
    T(
        None,
        "team_news",
        "Season tickets for 2027 are on sale",
        """
Hey Rovers fans!

Season tickets for 2027 are on sale now. Lock in this year's prices, get early access to playoff seats and 10% off in the team store.

Buy now before prices go up on {later}.

Unsubscribe | Privacy policy
{org}
""",
    ),
    T(
        None,
        "nhs_news",
        "Primary care bulletin - week 45",
        """
Primary care bulletin

- Winter vaccination programme: clinic dates
- Changes to the MSK referral pathway from 1 December: referrals should now go through the single point of access
- Training: safeguarding level 3 refresher

Please share with your practice teams.
{org}
""",
    ),
    T(
        None,
        "personal",
        "Dinner Saturday?",
        """
Hi!

Are you two free for dinner on Saturday? We were thinking of trying the new Thai place on Main Street around 7. Let me know and I'll book.

x
""",
    ),
    T(
        None,
        "personal",
        "Photos from the weekend",
        """
Here are the photos from the lake - the kids loved it. The one of the dog on the paddleboard is my favourite!

Talk soon
""",
    ),
    T(
        None,
        "vendor",
        "Your domain expires in 30 days",
        """
Your domain harborpoint-sportsmed.example is set to expire on {later}.

Renew now to keep your website and email working. Auto-renew is currently off.

Renew domain

{org}
""",
    ),
    T(
        None,
        "vendor",
        "Your order has shipped",
        """
Your package is on its way!

Order #112-{trace}
Arriving {weekday}

Yoga mat, non-slip, 6 mm
Resistance bands, set of 5

Track your package in the app.
""",
    ),
    T(
        None,
        "vendor",
        "Locum opportunities near you",
        """
Hi,

We have several locum sports medicine and primary care shifts available this winter, paying up to $210/hour. Flexible schedules, malpractice cover provided.

Reply to this email if you'd like to hear more.

Locum Partners Staffing
""",
    ),
    T(
        None,
        "phish",
        "Action required: verify your account",
        """
Dear User,

We detected unusual sign-in activity on your provider portal account. To avoid suspension, verify your credentials within 24 hours using the secure link below.

Verify now

Security Team
""",
    ),
    T(
        None,
        "phish",
        "URGENT: Your registration has been suspended",
        """
This is an official notice. Your controlled substance registration has been flagged for investigation and suspended. To avoid arrest and prosecution, you must pay a settlement fee of $4,500 within 48 hours.

Call the number below immediately and quote case 77-421.

Enforcement Division
""",
    ),
    T(
        None,
        "autoreply",
        "Automatic reply: Report",
        """
Thank you for your email. I am out of the office until {later} with limited access to email. For urgent matters please contact the team on the main number.
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
    "FYI - see below.",
    "Can you take a look at this one?",
    "This came into the office inbox this morning.",
    "Forwarding so it doesn't get lost.",
    "Not sure who should handle this - see below.",
]


def reply_prefix(rng: random.Random) -> str:
    return "Re: "


def forward_prefix(rng: random.Random) -> str:
    return "Fwd: "


def _gmail_date(when: datetime) -> str:
    hour = when.hour % 12 or 12
    ampm = "AM" if when.hour < 12 else "PM"
    return f"{when.strftime('%a, %b')} {when.day}, {when.year} at {hour}:{when.minute:02d} {ampm}"


def quote_block(
    body: str, quote: str, quote_from: tuple[str, str], when: datetime, subject: str
) -> str:
    """Gmail's reply: the answer, then "On ... wrote:" and the history quoted with "> "."""
    quoted = "\n".join(("> " + line).rstrip() for line in quote.strip("\n").split("\n"))
    name, addr = quote_from
    return f"{body.rstrip()}\n\nOn {_gmail_date(when)} {name} <{addr}> wrote:\n\n{quoted}\n"


def forward_block(
    note: str,
    original: str,
    sender: Any,
    when: datetime,
    subject: str,
    to: tuple[str, str],
) -> str:
    """Gmail's inline forward."""
    return (
        f"{note}\n\n---------- Forwarded message ---------\n"
        f"From: {sender.name} <{sender.addr}>\n"
        f"Date: {_gmail_date(when)}\n"
        f"Subject: {subject}\n"
        f"To: {to[0]} <{to[1]}>\n\n"
        f"{original.rstrip()}\n"
    )
