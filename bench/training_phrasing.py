"""Phrasings of the training mail (``bench/build_training_mail.py``): what practices receive.

Each writer takes a ``random.Random`` and returns ``(subject, body)``; a label has several
writers (the forms that kind of mail takes) and each slot several wordings. Every person,
patient, reference and organisation is invented.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Writer = Callable[[random.Random], tuple[str, str]]

FIRST = [
    "Amelia",
    "Oliver",
    "Priya",
    "Tomasz",
    "Grace",
    "Kwame",
    "Isla",
    "Mateo",
    "Hannah",
    "Rhys",
    "Sofia",
    "Dmitri",
    "Leah",
    "Callum",
    "Nadia",
    "Ethan",
    "Freya",
    "Jonah",
    "Aisha",
    "Marcus",
    "Elena",
    "Finn",
    "Keiko",
    "Declan",
    "Zara",
    "Owen",
    "Maya",
    "Luca",
]
LAST = [
    "Pemberton",
    "Okafor",
    "Lindqvist",
    "Harrowell",
    "Castellano",
    "Brightwater",
    "Nakamura",
    "Fairclough",
    "Abernethy",
    "Delacroix",
    "Whitlock",
    "Mbeki",
    "Thorne",
    "Ravensworth",
    "Kowalczyk",
    "Ellery",
    "Achterberg",
    "Quinlan",
    "Penhaligon",
    "Varga",
]
TITLES = ["Mrs", "Mr", "Ms", "Miss", "Master"]


def person(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def upper(r: random.Random, n: int) -> str:
    return "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n))


def dob(r: random.Random) -> str:
    return f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/{r.randint(1948, 2016)}"


def when(r: random.Random) -> str:
    return r.choice(["3 March", "14 April", "22 May", "9 June", "30 September", "11 November"])


def pick(r: random.Random, *options: str) -> str:
    return r.choice(options)


# ---------------------------------------------------------------------------- referrals
def gp_letter(r: random.Random) -> tuple[str, str]:
    patient = f"{r.choice(TITLES)} {person(r)}"
    age = r.randint(8, 84)
    reason = pick(
        r,
        "persistent lateral hip pain",
        "difficulty with activities of daily living after a stroke",
        "recurrent ankle sprains",
        "chronic low back pain",
        "hand function after a wrist fracture",
        "fatigue and poor sleep",
        "developmental coordination difficulties",
        "knee pain on running",
    )
    subject = pick(
        r,
        f"Referral: {patient} - OT assessment",
        f"Referral - {patient}",
        f"Re: {patient}, {age} years",
        "Referral letter",
        "New referral",
        f"{patient} - assessment requested",
        "Patient referral",
        f"Referral for {pick(r, 'OT', 'physio', 'sports medicine', 'assessment')}",
    )
    line = pick(
        r,
        f"Re: {patient}, {age} years",
        f"Re: {patient} ({age})",
        f"Patient: {patient}",
        f"RE: {patient.upper()}",
        f"Re: {patient}, aged {age}",
        f"Re: {patient}   DOB: {dob(r)}",
        f"Name: {patient}\nNHS No: {digits(r, 10)}",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Colleague,", "Dear Dr,", "Dear Sir/Madam,", "Dear Team,", "Hello,"),
            line,
            pick(
                r,
                f"I would be grateful if you could assess this {age} year old who presents "
                f"with {reason}.",
                f"Thank you for seeing this pleasant patient with {reason}.",
                f"I am writing to refer the above patient for assessment of {reason}.",
                f"Many thanks for seeing this {age}-year-old, who has had {reason} for "
                f"{r.randint(2, 18)} months.",
                f"Please could you see this patient regarding {reason}?",
            ),
            pick(
                r,
                "Past history includes hypertension and asthma. Current medication: as per "
                "the attached summary.",
                "Examination was unremarkable apart from reduced range of movement.",
                "An X-ray last month showed no bony injury.",
                "She has tried analgesia and a home exercise programme without much benefit.",
                "He is keen to return to work and would value your input.",
            ),
            pick(r, "Yours sincerely,", "Kind regards,", "With thanks,", "Best wishes,"),
            f"Dr {person(r)}\n{pick(r, 'GP Partner', 'Salaried GP', 'General Practitioner')}\n"
            f"{pick(r, 'Hollybank', 'Larchwood', 'Riverside', 'Tanners Lane', 'Moorgate')} "
            f"{pick(r, 'Surgery', 'Medical Centre', 'Health Centre', 'Practice')}",
        ]
    )
    return subject, body


def ers_letter(r: random.Random) -> tuple[str, str]:
    ubrn = f"{digits(r, 4)} {digits(r, 4)} {digits(r, 4)}"
    subject = pick(
        r,
        "NHS e-Referral Service: referral letter attached",
        "e-RS referral received",
        "Referral request - action required",
        "Advice and Guidance request converted to referral",
        "You have a new referral on the e-Referral Service",
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "This is an automated message from the NHS e-Referral Service.",
                "A referral has been sent to your service.",
                "The following referral is awaiting review.",
            ),
            f"UBRN: {ubrn}\nPriority: {pick(r, 'Routine', 'Urgent')}\n"
            f"Service: {pick(r, 'MSK Physiotherapy', 'Community OT', 'Sports Medicine Clinic')}",
            pick(
                r,
                "Please review the referral letter and accept or reject it within 5 working days.",
                "Log in to e-RS to view the referral and clinical information.",
                "Please triage this referral and book an appointment.",
            ),
            "Do not reply to this email.",
        ]
    )
    return subject, body


def us_consult(r: random.Random) -> tuple[str, str]:
    patient = person(r)
    reason = pick(
        r,
        "right knee pain, suspected meniscal tear",
        "recurrent shoulder instability",
        "stress reaction of the tibia",
        "post-concussion symptoms",
        "Achilles tendinopathy",
        "low back pain with radicular features",
        "evaluation for PRP",
        "return-to-play evaluation",
    )
    subject = pick(
        r,
        "Consult request",
        "New consult order",
        f"Consult: {patient}",
        "Referral order received",
        "Incoming referral from Epic",
        "eReferral: Sports Medicine",
        "Outside referral",
        "Patient referred to you",
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "You have received a new referral.",
                "A consult has been ordered for your clinic.",
                "Please see the referral below.",
                "Dear Dr.,",
            ),
            f"Patient: {patient}\n{pick(r, 'MRN', 'Chart #', 'Acct')}: {digits(r, 7)}\n"
            f"{pick(r, 'Reason for referral', 'Reason for consult', 'Dx')}: {reason}\n"
            f"Referring provider: {person(r)}, {pick(r, 'MD', 'DO', 'PA-C', 'NP')}",
            pick(
                r,
                "Please contact the patient to schedule.",
                "Insurance information is attached.",
                "Please fax notes back after the visit.",
                "Clinical notes are available in the portal.",
                "Thank you for seeing this patient.",
            ),
        ]
    )
    return subject, body


def allied_referral(r: random.Random) -> tuple[str, str]:
    who = pick(
        r,
        "physio",
        "osteopath",
        "strength coach",
        "acupuncturist",
        "case manager",
        "nutritionist",
        "chiropractor",
        "podiatrist",
    )
    subject = pick(
        r,
        "Would you be able to see a client of mine?",
        "Client for you",
        "Referring a runner",
        "New client - can you help?",
        "Quick referral",
        "One for you",
        "Athlete needing assessment",
    )
    body = "\n\n".join(
        [
            pick(r, "Hi,", "Hi there,", "Hello Dr,", "Morning,"),
            pick(
                r,
                f"I'm a {who} and have been working with {person(r)} for a few weeks.",
                f"I have a client ({person(r)}, {r.randint(16, 60)}) I'd like you to see.",
                f"As their {who}, I think {person(r)} would benefit from your assessment.",
            ),
            pick(
                r,
                "Their symptoms haven't settled with load management.",
                "They'd like a second opinion before the season starts.",
                "I'd value a medical review before we progress training.",
                "Could you see them in the next couple of weeks?",
            ),
            pick(r, "Thanks so much,", "Cheers,", "Many thanks,") + f"\n{person(r)}",
        ]
    )
    return subject, body


def referral_update(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Re: Referral",
        "Clinic letter",
        "Discharge summary",
        "Update on our mutual patient",
        "Re: your referral",
        "Follow-up letter",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Dr,", "Dear colleague,", "Hi,"),
            pick(
                r,
                "Thank you for your letter regarding our mutual patient.",
                "Further to your referral, I saw this patient in clinic today.",
                "I write to update you on the patient you referred.",
            ),
            pick(
                r,
                "Imaging was normal and we have discharged back to your care.",
                "We will review again in six weeks.",
                "He has been listed for arthroscopy.",
                "Please continue the rehabilitation programme.",
            ),
            pick(r, "Kind regards,", "Best wishes,") + f"\n{person(r)}",
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- payers
def portal_notice(what: str) -> Writer:
    def write(r: random.Random) -> tuple[str, str]:
        subject = pick(
            r,
            "New message in your provider portal",
            "Notification",
            "Secure message available",
            "You have a new document",
            "Action required",
            f"{what.title()} update",
            "Provider notification",
        )
        lines = {
            "prior authorization": [
                f"A determination has been made on authorization request {digits(r, 10)}.",
                "The requested service (MRI lower extremity) has been approved.",
                "The requested service has been denied as not medically necessary. You may "
                "request a peer-to-peer review within 14 days.",
                "Additional clinical information is required to complete the review. Please "
                "upload office notes within 2 business days.",
                f"Precertification case {upper(r, 2)}{digits(r, 8)} has been pended for "
                "medical review.",
            ],
            "claim": [
                f"Claim {digits(r, 12)} has been processed.",
                "A new remittance advice (ERA/835) is available for download.",
                f"Your claim for date of service {when(r)} was denied: timely filing.",
                "Explanation of benefits: allowed amount $142.18, paid $113.74, patient "
                "responsibility $28.44.",
                "We received your corrected claim and it is in process.",
            ],
        }[what]
        body = "\n\n".join(
            [
                pick(r, "Dear Provider,", "Hello,", "Dear Dr.,"),
                r.choice(lines),
                pick(
                    r,
                    "Log in to the provider portal to view details.",
                    "Sign in to view the letter.",
                    "Please do not reply to this message.",
                ),
                pick(r, "Provider Services", "Utilization Management", "Claims Department"),
            ]
        )
        return subject, body

    return write


def prior_auth_letter(r: random.Random) -> tuple[str, str]:
    ref = f"{upper(r, 1)}{digits(r, 9)}"
    subject = pick(
        r,
        f"Prior authorization {ref}",
        "Precertification determination",
        "Authorization approved",
        "Notice of adverse determination",
        "Request for additional information - prior auth",
        "Peer to peer review available",
        "Authorization request received",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Provider,", "To the ordering physician,"),
            f"Reference number: {ref}\nMember ID: {upper(r, 3)}{digits(r, 8)}",
            pick(
                r,
                "The requested MRI has been approved for 60 days.",
                "After review, the request does not meet medical necessity criteria.",
                "We need more information to make a decision on this prior authorization.",
                "We have received your authorization request and it is under review.",
                "You may discuss this determination with a medical director by calling within "
                "14 calendar days.",
            ),
            pick(r, "Utilization Management Department", "Clinical Review Team"),
        ]
    )
    return subject, body


def claim_letter(r: random.Random) -> tuple[str, str]:
    ref = digits(r, 11)
    subject = pick(
        r,
        "Remittance advice",
        "Explanation of Benefits available",
        f"Claim {ref} denied",
        "Payment issued",
        "Claim status update",
        "Request for medical records - claim review",
        "Appeal decision",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Provider,", "Hello,"),
            f"Claim number: {ref}\nDate of service: {when(r)}",
            pick(
                r,
                "Payment of $86.20 has been issued by EFT.",
                "This claim was denied because the service is not covered.",
                "Please submit medical records to support CPT 20611.",
                "Your appeal has been reviewed and the original decision is upheld.",
                "The claim has been adjusted and reprocessed.",
            ),
            pick(r, "Claims Department", "Provider Payment Services"),
        ]
    )
    return subject, body


def insured_treatment(r: random.Random) -> tuple[str, str]:
    member = f"{digits(r, 8)}"
    subject = pick(
        r,
        "Authorisation confirmed",
        "Pre-authorisation for treatment",
        "Your request for further sessions",
        "Treatment authorisation",
        "Claim authorisation",
        "Outstanding information for your patient's claim",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Practitioner,", "Dear Provider,", "Hello,"),
            f"Membership number: {member}\nAuthorisation code: {upper(r, 2)}{digits(r, 6)}",
            pick(
                r,
                "We have authorised 6 sessions of physiotherapy.",
                "We are unable to authorise further treatment under the policy terms.",
                "Please send a progress report so we can consider further sessions.",
                "The member's policy covers an initial consultation and up to 4 follow-ups.",
                "Please quote the authorisation code on your invoice.",
            ),
            pick(r, "Claims Team", "Provider Relations", "Customer Services"),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- solicitors
def solicitor_letter(r: random.Random) -> tuple[str, str]:
    ref = f"{upper(r, 2)}/{digits(r, 4)}/{upper(r, 2)}"
    client = person(r)
    subject = pick(
        r,
        f"Our client: {client}",
        "Letter of instruction",
        "Request for medical records",
        f"{client} v {person(r)}",
        "Medico-legal report - chaser",
        "Part 35 questions",
        "Instruction to prepare expert report",
        "Records request - authority enclosed",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Sirs,", "Dear Doctor,", "Dear Sir/Madam,"),
            f"Our ref: {ref}",
            pick(
                r,
                "We act for the above named in a personal injury claim and would like to "
                "instruct you to prepare a report.",
                "We enclose a signed form of authority and request copies of our client's records.",
                "We refer to our letter of instruction and would be grateful for "
                "an update on the report.",
                "Please find enclosed written questions under CPR 35.6.",
                "The trial has been listed and we may need you to attend.",
            ),
            pick(r, "Yours faithfully,", "Yours sincerely,") + f"\n{person(r)}\nSolicitor",
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- councils
def send_letter(r: random.Random) -> tuple[str, str]:
    child = person(r)
    subject = pick(
        r,
        "Request for advice - EHC needs assessment",
        f"EHC needs assessment: {child}",
        "Annual review meeting",
        "SEND Tribunal appeal - evidence request",
        "Draft EHC plan",
        "Notice of appeal to the First-tier Tribunal",
        "Education, Health and Care plan - amendment",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Practitioner,", "Dear colleague,", "Dear Sir/Madam,"),
            pick(r, f"Child: {child}", f"Re: {child}", f"Young person: {child}"),
            pick(
                r,
                "The local authority has agreed to carry out an Education, Health and Care "
                "needs assessment. Please provide your advice within 6 weeks.",
                "An appeal has been lodged with the SEND Tribunal. The local authority requests "
                "your evidence by the date below.",
                "The annual review of the EHC plan will take place at school. Please send your "
                "report two weeks beforehand.",
                "Please find enclosed the draft plan for comment within 15 days.",
                "The tribunal hearing has been listed; the council may call you as a witness.",
            ),
            pick(r, "SEND Team", "Special Educational Needs Service", "SEN Casework Officer")
            + f"\n{pick(r, 'Marchford', 'Eastmoor', 'Kingsbridge', 'Wrexley')} "
            f"{pick(r, 'County Council', 'Borough Council', 'City Council')}",
        ]
    )
    return subject, body


def adaptation_letter(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Disabled Facilities Grant",
        "Home adaptation request",
        "Housing adaptations - OT assessment",
        "Stairlift and level access shower",
        "DFG approval",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Occupational Therapist,", "Dear colleague,"),
            pick(
                r,
                "We have received an application for a disabled facilities grant.",
                "Please carry out an assessment for major adaptations at the address below.",
                "The grant for the level access shower has been approved.",
                "The tenant has requested a ramp and grab rails.",
            ),
            pick(
                r, "Housing Adaptations Team", "Private Sector Housing", "Home Improvement Agency"
            ),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- teams
def team_mail(r: random.Random) -> tuple[str, str]:
    club = pick(
        r,
        "Riverside Rovers",
        "Northfield High Athletics",
        "Harbour City FC",
        "Westbrook Rugby Club",
        "Eastside Academy Track & Field",
        "Summit Climbing Team",
    )
    subject = pick(
        r,
        "Fixtures for the season",
        "Match day medical cover",
        "Pre-season screening dates",
        "Injury update",
        "Athletic trainer report",
        "Renewal of our sports medicine agreement",
        "Tournament coverage request",
        "Team physician agreement for next season",
        "Concussion - player update",
    )
    body = "\n\n".join(
        [
            pick(r, "Hi Doc,", "Hello,", "Dear Dr,"),
            pick(
                r,
                "Attached are the fixtures for the coming season.",
                "Could you provide medical cover for our home tournament?",
                "We'd like to book pre-participation physicals for the squad.",
                f"One of our players, {person(r)}, injured an ankle at practice.",
                "Our agreement with your practice is up for renewal; please see the new terms.",
                "The athletic director asked me to confirm coverage for Friday's game.",
            ),
            pick(r, "Thanks,", "Cheers,") + f"\n{person(r)}\n{club}",
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- labs
def lab_notice(r: random.Random) -> tuple[str, str]:
    acc = f"{upper(r, 2)}{digits(r, 8)}"
    subject = pick(
        r,
        "Results available for your patient",
        f"Results available (Accession {acc})",
        "New results",
        "Report ready",
        "Specimen problem",
        "Your kit has shipped",
        "Courier pickup confirmed",
        "Notification",
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "Results are available for your patient.",
                "A new report has been released.",
                "The specimen could not be processed: haemolysed sample.",
                "Your collection kits have been dispatched.",
                "A courier will collect tomorrow.",
                "Final results are now available in the portal.",
            ),
            f"Accession: {acc}",
            pick(
                r,
                "Log in to the results portal to view the report.",
                "Do not reply to this automated message.",
                "Client Services",
            ),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- CME
def cme_mail(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Your CME certificate",
        "Registration confirmed",
        "Course reminder: starts Monday",
        "Your CPD statement",
        "Earn 8 AMA PRA Category 1 Credits",
        "Webinar: ultrasound-guided injections",
        "Credits recorded",
        "Last chance to register for the spring course",
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "Thank you for completing the course.",
                "You are registered for the course.",
                "Your certificate is attached.",
                "This activity is designated for a maximum of 6 AMA PRA Category 1 Credits.",
                "Your CPD hours have been recorded.",
                "Join leading faculty for a hands-on workshop.",
            ),
            pick(r, "Continuing Education Office", "CPD Team", "Learning & Development"),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- credentialing
def credentialing_mail(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Credentialing complete - welcome to the network",
        "Re-attestation due",
        "Licence renewal notice",
        "Your registration expires",
        "Recredentialing application",
        "Privileges reappointment",
        "Malpractice policy renewal",
        "Enrolment approved",
        "Provider enrollment status",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Provider,", "Dear Registrant,", "Dear Dr,"),
            pick(
                r,
                "Your credentialing is complete and you are now in network.",
                "Please re-attest your profile within 30 days.",
                "Your licence expires at the end of the month; renew online.",
                "Your enrollment has been approved effective the first of next month.",
                "Your hospital privileges are due for reappointment.",
                "Your professional indemnity policy renews soon.",
            ),
            pick(r, "Credentialing Department", "Provider Enrollment", "Registrations Team"),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- suppliers
def supplier_mail(kind: str) -> Writer:
    goods = (
        ("magnesium glycinate", "vitamin D3 drops", "omega-3 capsules", "probiotic")
        if kind == "supplement"
        else ("kinesiology tape", "ankle braces", "syringes", "ultrasound gel")
    )

    def write(r: random.Random) -> tuple[str, str]:
        item = r.choice(goods)
        order = digits(r, 6)
        subject = pick(
            r,
            f"Order {order} confirmed",
            "Your order has shipped",
            "Invoice",
            "Back in stock",
            "Product recall notice",
            "Time to reorder?",
        )
        body = "\n\n".join(
            [
                pick(
                    r,
                    f"Thank you for your order of {item}.",
                    f"Your {item} has shipped.",
                    f"Invoice for {item} attached.",
                    f"{item.capitalize()} is back in stock.",
                    f"Recall: lot {digits(r, 5)} of {item}.",
                    f"Running low on {item}?",
                ),
                f"Order number: {order}",
                pick(r, "Customer Service", "Practitioner Accounts", "Orders Team"),
            ]
        )
        return subject, body

    return write


# ---------------------------------------------------------------------------- research
def research_mail(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Table of contents alert",
        "New issue now online",
        "Evidence digest",
        "This week's evidence update",
        "Latest articles",
        "In this issue",
        "Your weekly research roundup",
    )
    arts = "\n".join(
        f"- {pick(r, 'Eccentric loading', 'Early mobilisation', 'Injection', 'Exercise')} "
        f"for {pick(r, 'tendinopathy', 'ankle sprain', 'knee osteoarthritis', 'back pain')}: "
        f"a {pick(r, 'randomised trial', 'systematic review', 'cohort study')}"
        for _ in range(r.randint(2, 5))
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "The latest issue is now available online.",
                "Here are this week's articles.",
                "Your evidence digest:",
            ),
            arts,
            pick(r, "Read the full issue", "Manage your alerts", "View online"),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- not practice
OTHER = {
    "retail": (
        [
            "Your order is on its way",
            "Delivery update",
            "Rate your recent purchase",
            "Black Friday starts now",
            "Items in your basket",
            "Your receipt",
        ],
        [
            "Your parcel will arrive tomorrow between 9 and 1.",
            "Get 20% off sitewide this weekend only.",
            "Tell us how we did: rate your purchase.",
            "You left something in your basket.",
            "Thanks for shopping with us.",
        ],
    ),
    "personal": (
        [
            "Dinner Saturday?",
            "Photos from the weekend",
            "Happy birthday!",
            "School pick-up tomorrow",
            "Holiday plans",
            "Quick question",
        ],
        [
            "Are you free on Saturday evening? We could try the new place.",
            "Here are the photos from the beach, the kids loved it.",
            "Can you grab the children tomorrow? I'm stuck at work.",
            "Shall we book the cottage for August?",
            "Did you see the match last night?",
        ],
    ),
    "it": (
        [
            "Password expires soon",
            "Security alert",
            "Storage almost full",
            "New sign-in to your account",
            "Scheduled maintenance",
            "Verify your account",
        ],
        [
            "Your password expires in 3 days; change it from the settings page.",
            "We noticed a new sign-in from a new device.",
            "Your mailbox is 95% full.",
            "Systems will be unavailable on Sunday from 02:00.",
            "Click here to verify your account or it will be suspended.",
        ],
    ),
    "business": (
        [
            "Invoice from your web host",
            "Your subscription renews soon",
            "Grow your practice with SEO",
            "Webinar: marketing for clinics",
            "New features in your booking software",
            "Your phone bill",
        ],
        [
            "Your hosting plan renews next month for $120.",
            "Five ways to get more reviews online.",
            "Our new online booking widget is live.",
            "Your monthly telephone bill is ready to view.",
            "Join our free webinar on social media for small businesses.",
        ],
    ),
    "office": (
        [
            "Cleaning rota",
            "Fire alarm test Thursday",
            "Staff lunch",
            "Parking",
            "Printer out of toner",
            "Holiday cover",
        ],
        [
            "The cleaners will come on Tuesday this week.",
            "There will be a fire alarm test at 10am.",
            "Lunch is on us on Friday to celebrate the new room.",
            "Please don't park in bay 3 this week.",
            "Who is covering reception in August?",
        ],
    ),
    "finance": (
        [
            "Your statement is ready",
            "Payment received - thank you",
            "Direct debit confirmation",
            "Tax return reminder",
            "Card payment declined",
        ],
        [
            "Your monthly statement is available online.",
            "We received your payment for the electricity bill.",
            "Your self-assessment tax return is due.",
            "A card payment was declined; please update your details.",
        ],
    ),
    "auto": (
        [
            "Automatic reply: out of office",
            "Out of Office",
            "Undeliverable: message",
            "Read: meeting notes",
        ],
        [
            "I am out of the office until Monday with limited access to email.",
            "Delivery has failed to these recipients.",
            "Your message was read.",
        ],
    ),
    "news": (
        [
            "Weekly newsletter",
            "Community news",
            "Local events this month",
            "Our charity update",
            "Travel deals",
        ],
        [
            "This month in the village: the summer fair and road closures.",
            "Thank you for supporting the hospice; here is what your gift did.",
            "Flights to Lisbon from $89.",
            "Read our latest stories.",
        ],
    ),
}


def other_mail(r: random.Random) -> tuple[str, str]:
    subjects, lines = OTHER[r.choice(sorted(OTHER))]
    body = "\n\n".join(
        [
            pick(r, "Hi,", "Hello,", "Dear customer,", "Hi all,", ""),
            r.choice(lines),
            r.choice(lines),
            pick(r, "Thanks", "Best", "Unsubscribe | Privacy", "Sent from my phone", ""),
        ]
    ).strip()
    return r.choice(subjects), body


# ---------------------------------------------------------------------------- more forms
def referral_by_form(r: random.Random) -> tuple[str, str]:
    """A web-form or fax-to-mail referral: labelled fields, little prose."""
    patient = person(r)
    subject = pick(
        r,
        "Online referral form submission",
        "Fax received: referral",
        "New referral form",
        "Referral (secure)",
        "Self-referral via website",
        "Referral from physiotherapy",
        "Onward referral",
    )
    fields = [
        f"{pick(r, 'Patient name', 'Client', 'Name')}: {patient}",
        f"{pick(r, 'Age', 'Years')}: {r.randint(10, 80)}",
        f"{pick(r, 'Referrer', 'Referred by')}: {person(r)}",
        f"{pick(r, 'Reason', 'Presenting problem', 'Concern')}: "
        + pick(
            r,
            "shoulder pain",
            "falls at home",
            "hamstring strain",
            "fatigue",
            "sensory processing",
            "post-operative rehab",
            "tennis elbow",
        ),
    ]
    if r.random() < 0.3:
        fields.insert(1, f"{pick(r, 'DOB', 'Date of birth')}: {dob(r)}")
    body = "\n\n".join(
        [
            pick(
                r,
                "A referral has been submitted.",
                "Please find the referral details below.",
                "Referral received by fax and converted to email.",
            ),
            "\n".join(fields),
            pick(r, "Urgency: routine", "Please triage.", "Consent to share: yes"),
        ]
    )
    return subject, body


def payer_uk_insurer(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Your patient's policy - authorisation",
        "Pre-authorisation request",
        "Treatment approved",
        "Further sessions declined",
        "Invoice query",
        "Fee schedule update",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Specialist,", "Dear Therapist,", "Good afternoon,"),
            f"Policy number: {digits(r, 9)}",
            pick(
                r,
                "We are pleased to confirm cover for the outpatient consultation.",
                "Following review by our clinical team, further sessions cannot be covered.",
                "Please submit your invoice through the provider portal quoting the "
                "pre-authorisation number.",
                "The member has exhausted their outpatient benefit for this policy year.",
            ),
            pick(r, "Provider Team", "Clinical Claims"),
        ]
    )
    return subject, body


def us_legal(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Records request - HIPAA authorization enclosed",
        "Subpoena duces tecum",
        "Deposition scheduling",
        "IME request",
        "Lien letter",
        "Request for narrative report",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Custodian of Records,", "Dear Doctor:", "Counsel,"),
            pick(
                r,
                f"Re: {person(r)}; Date of loss: {when(r)}",
                f"Our File No.: {digits(r, 4)}-{digits(r, 4)}",
                f"Claim: {person(r)} v. {pick(r, 'Acme', 'City Transit')}",
            ),
            pick(
                r,
                "This firm represents the above client in a personal injury matter.",
                "Please produce all medical and billing records within 30 days.",
                "We would like to schedule your deposition next month.",
                "Please provide a narrative report of your treatment and prognosis.",
            ),
            pick(r, "Paralegal", "Attorney at Law", "Legal Assistant") + f"\n{person(r)}",
        ]
    )
    return subject, body


def council_other(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "EHCP annual review - request for report",
        "Section F provision",
        "Consultation with school placement",
        "Request for professional advice",
        "Tribunal bundle",
        "Mediation certificate",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Professional,", "Dear colleague,"),
            pick(
                r,
                "As part of the statutory assessment the local authority must seek "
                "occupational therapy advice.",
                "The family has appealed the contents of sections B, F and I.",
                "Please confirm the provision you recommend for section F.",
                "The case is listed for a hearing; the evidence bundle is attached.",
            ),
            pick(r, "Case Officer, Children's Services", "SEND Casework Team"),
        ]
    )
    return subject, body


def team_us(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Sports physicals for fall",
        "Game coverage schedule",
        "Athletic training room update",
        "Renewal: team physician services",
        "Concussion protocol update",
        "Preseason baseline testing",
    )
    body = "\n\n".join(
        [
            pick(r, "Coach here,", "Hi Dr.,", "Good morning,"),
            pick(
                r,
                "Our varsity teams need physicals before the first practice.",
                "Attached is the home game schedule; can your clinic cover the sidelines?",
                "The athletic department would like to renew the team physician agreement.",
                "We had two players out this week with hamstring strains.",
                "Can we book baseline concussion testing for the squad?",
            ),
            pick(r, "Athletic Director", "Head Coach", "Athletic Trainer, ATC"),
        ]
    )
    return subject, body


def lab_html_portal(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "You have new results",
        "Patient report available",
        "Message from the lab",
        "Secure notification",
        "Critical value called",
        "Order status update",
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "A report for your patient is ready.",
                "New results were posted for requisition " + digits(r, 8) + ".",
                "Your order has been received at the laboratory.",
                "A critical result was phoned to your office.",
            ),
            pick(
                r,
                "Specimen collected: " + when(r),
                "Test: comprehensive metabolic panel",
                "Test: vitamin D, 25-hydroxy",
                "Panel: ferritin, CBC",
            ),
            "This is an automated notification. Log in to view.",
        ]
    )
    return subject, body


def cme_conference(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Annual meeting: early-bird registration",
        "Your course materials",
        "Workshop confirmation",
        "Complete your evaluation to claim credit",
        "Credit transcript",
        "Earn CPD points online",
    )
    body = "\n\n".join(
        [
            pick(
                r,
                "Registration for the annual sports medicine meeting is open.",
                "Your workshop place is confirmed; materials are attached.",
                "Complete the post-course evaluation to receive your certificate.",
                "Your transcript shows 24 credits this cycle.",
                "Online modules count towards your CPD.",
            ),
            pick(
                r,
                "Accredited for continuing medical education.",
                "CPD certified.",
                "See the agenda and faculty.",
            ),
        ]
    )
    return subject, body


def credential_other(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Welcome to our provider network",
        "CAQH profile needs attention",
        "DEA registration renewal",
        "Board certification: MOC requirements",
        "Registration renewal window open",
        "Provider directory verification",
        "Application received - credentialing in progress",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear Dr,", "Dear Provider,", "Dear Registrant,"),
            pick(
                r,
                "We are pleased to inform you that your participation has been approved.",
                "Your profile has not been attested for 120 days.",
                "Your registration is due for renewal; renew before it expires.",
                "Please verify your directory information within 90 days.",
                "We have received your application and will contact you if we need more.",
            ),
            f"Provider ID: {digits(r, 10)}",
        ]
    )
    return subject, body


def research_html(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Online first articles",
        "Current issue",
        "Most read this month",
        "Evidence alert: new systematic reviews",
        "Journal club picks",
        "New research in your field",
    )
    items = "\n".join(
        pick(r, "Original research:", "Review:", "Editorial:")
        + " "
        + pick(
            r,
            "Return to sport after ACL reconstruction",
            "Hand therapy after distal radius fracture",
            "Sleep and injury risk in adolescents",
            "Platelet-rich plasma for lateral epicondylalgia",
            "Falls prevention in older adults",
        )
        for _ in range(r.randint(3, 6))
    )
    body = "\n\n".join(
        [
            pick(r, "Volume 58, Issue 12", "This week:", "Highlights"),
            items,
            pick(r, "Access the journal", "Update your alert settings"),
        ]
    )
    return subject, body


# ---------------------------------------------------------------------------- look-alikes
# Mail that talks the trade but asks nothing of the practice: professional mailing lists,
# recruiters, award and directory spam, congress marketing, school and community newsletters.
LOOKALIKE_TOPICS = [
    "the new DFG portal",
    "insurer fee schedules",
    "the e-Referral changes",
    "CAQH re-attestation reminders",
    "EHCP report templates",
    "lab courier delays",
    "prior authorisation for MRI",
    "running a sports injury clinic",
    "CPD audits",
]


def lookalike(r: random.Random) -> tuple[str, str]:
    topic = r.choice(LOOKALIKE_TOPICS)
    subject, body = r.choice(
        [
            (
                f"[{pick(r, 'ot-independents', 'msk-forum', 'sportsmed-list')}] {topic}?",
                f"Has anyone had experience with {topic}? Ours is driving me mad. Any tips "
                "gratefully received!",
            ),
            (
                "Locum opportunities near you",
                f"We have {r.randint(2, 9)} locum and permanent "
                "roles paying above market rate. Reply with your CV for a confidential chat.",
            ),
            (
                pick(r, "You've been nominated: Top Doctors 2026", "Claim your directory listing"),
                "Congratulations! You have been shortlisted for our annual award. Pay the listing "
                "fee to feature in the winners' magazine.",
            ),
            (
                "Call for abstracts",
                "Submit your abstract for the annual congress by the end of "
                "the month. Posters and oral presentations welcome.",
            ),
            (
                pick(r, "PTA newsletter", "School newsletter", "Parish news"),
                "Dates for the diary: bake sale, sports day and the summer fair. "
                "Volunteers needed.",
            ),
            (
                pick(r, "Yoga timetable", "Pilates classes this term"),
                "New classes on Tuesday and Thursday evenings. Book through the app.",
            ),
            (
                pick(r, "Marketing tips for therapists", "Grow your private practice"),
                f"Thinking about {topic}? Our course shows you how to get more clients.",
            ),
            ("Practice software webinar", f"Join our product team to see how we handle {topic}."),
        ]
    )
    return subject, f"{pick(r, 'Hi all,', 'Hello,', 'Dear colleague,')}\n\n{body}\n\n{person(r)}"


def cme_module(r: random.Random) -> tuple[str, str]:
    subject = pick(
        r,
        "Module reminder",
        "Your learning record",
        "Certificate of attendance",
        "New course dates",
        "Complete your quiz to claim credit",
        "Hands-on workshop places available",
        "Accreditation confirmed",
    )
    body = "\n\n".join(
        [
            pick(r, "Dear learner,", "Dear delegate,", "Hello,"),
            pick(
                r,
                "The online module closes on Friday; complete the assessment to claim "
                "your credits.",
                "Your certificate of attendance can be downloaded from your learner dashboard.",
                "A two-day practical course in musculoskeletal "
                "ultrasound is approved for category 1 credit.",
                "Your learning record now shows the hours from last month's workshop.",
                "Places remain on the spring course; faculty include consultant sports physicians.",
            ),
            pick(r, "Education Team", "Faculty Office", "Course Administrator"),
        ]
    )
    return subject, body


WRITERS: dict[str, list[Writer]] = {
    "referral/referral": [
        gp_letter,
        gp_letter,
        ers_letter,
        us_consult,
        allied_referral,
        referral_update,
        referral_by_form,
    ],
    "payer/prior_auth": [portal_notice("prior authorization"), prior_auth_letter],
    "payer/claim": [portal_notice("claim"), claim_letter],
    "payer/insured_treatment": [insured_treatment, payer_uk_insurer],
    "solicitor/medico_legal": [solicitor_letter, us_legal],
    "local_authority/ehcp": [send_letter, council_other],
    "local_authority/adaptation": [adaptation_letter],
    "team/team": [team_mail, team_us],
    "lab/lab_result": [lab_notice, lab_html_portal],
    "cme/cme": [cme_mail, cme_conference, cme_module],
    "credentialing/credential": [credentialing_mail, credential_other],
    "supplier/supplement_order": [supplier_mail("supplement")],
    "supplier/supply_order": [supplier_mail("supply")],
    "research/research": [research_mail, research_html],
    "": [other_mail, other_mail, lookalike],
}
