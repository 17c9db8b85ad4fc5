#!/usr/bin/env python3
"""Build the labelled classification-quality corpus: ``bench/quality_corpus/``.

The corpus measures how well the shipped rule packs classify mail they were not written
against (``bench/quality.py`` prints the figures). It has two halves written from two
DIFFERENT sets of phrasings (``bench/quality_phrasing_dev.py`` and
``bench/quality_phrasing_holdout.py``): rules are tuned on ``dev`` only, and ``holdout``
shows how they do on wording they have never seen. The halves also differ in the senders
that are not in the party directories, in reference-number formats, and in how practice
staff forward and how correspondents quote (Gmail style in dev; Outlook and Apple Mail in
holdout).

What is in it, per half: every category of the vocabulary at least 22 times and unclassified
mail (``null``) 36 times; senders in the shipped party directories and plausible ones that
are not (a payer, a law firm, a council, a lab the directories lack); US and UK spelling;
replies with quoted history; forwards by practice staff, inline and as an attached
message/rfc822; HTML-only and multipart/alternative mail (some with table layouts); PDF
attachments; calendar invitations; RFC 2047 subjects and sender names; quoted-printable,
base64 and 8-bit bodies; mixed topics; and hard negatives (payers' and councils' newsletters,
labs' and suppliers' marketing, CME adverts, look-alike phishing, renewal notices from
non-credentialing senders, auto-replies).

Every person, patient, date of birth, reference number and clinic is invented. Real
organisation domains appear only as the sending organisation, with invented mailbox names
and invented content.

Deterministic (fixed seed, fixed MIME boundaries, no clock): running it twice writes
byte-identical files. It writes ``NNNN.eml`` files named by split and
``labels.csv``: ``file,split,category,case_kind,refs,variant`` where ``refs`` is a JSON object
of the case-identifying refs (``{"pa_ref": "A123456789"}``) or empty, and ``variant`` names
the form the message takes (plain, html, alt, fwd-inline, fwd-attached, reply, ...).

Usage: ``python bench/build_quality_corpus.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import html
import json
import quopri
import random
import re
import shutil
import string
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import quality_phrasing_dev  # noqa: E402
import quality_phrasing_holdout  # noqa: E402

from bot.rules.engine import CATEGORIES  # noqa: E402

SEED = 20261104
OUT = HERE / "quality_corpus"
PER_CATEGORY = 22  # messages per category per split
PER_NULL = 36  # unclassified messages per split
PHRASING = {"dev": quality_phrasing_dev, "holdout": quality_phrasing_holdout}


# --------------------------------------------------------------------------- who writes
@dataclass(frozen=True)
class Sender:
    name: str
    addr: str
    org: str
    country: str  # US or GB: spelling of dates


def S(name: str, addr: str, org: str | None = None, country: str = "US") -> Sender:
    return Sender(name, addr, org or name, country)


def UK(name: str, addr: str, org: str | None = None) -> Sender:
    return Sender(name, addr, org or name, "GB")


# Senders in the shipped party directories: the same organisations in both halves.
KNOWN: dict[str, list[Sender]] = {
    "us_payer": [
        S("Aetna Precertification", "precert-notices@aetna.com", "Aetna"),
        S("UnitedHealthcare Provider Services", "noreply@uhcprovider.com", "UnitedHealthcare"),
        S("Cigna Healthcare", "um.notifications@cigna.com", "Cigna Healthcare"),
        S("Anthem Blue Cross", "provider.notices@anthem.com", "Anthem Blue Cross"),
        S("Humana Clinical Intake", "clinicalintake@humana.com", "Humana"),
        S("Oscar Health", "providers@hioscar.com", "Oscar Health"),
        S("Regence BlueShield", "um@regence.com", "Regence"),
    ],
    "bm": [
        S("eviCore healthcare", "notifications@evicore.com", "eviCore healthcare"),
        S("Carelon Medical Benefits Management", "ordernotify@carelon.com", "Carelon"),
        S("Cohere Health", "no-reply@coherehealth.com", "Cohere Health"),
    ],
    "mac": [
        S("Noridian JE Part B", "jeb.appeals@noridian.com", "Noridian Healthcare Solutions"),
        S("Palmetto GBA", "jm.partb@palmettogba.com", "Palmetto GBA"),
        S("Novitas Solutions", "jl.claims@novitas-solutions.com", "Novitas Solutions"),
    ],
    "uk_insurer": [
        UK("Bupa Provider Services", "providerservices@bupa.co.uk", "Bupa"),
        UK("AXA Health Claims", "claims.team@axahealth.co.uk", "AXA Health"),
        UK("Aviva Health Claims", "healthclaims@aviva.co.uk", "Aviva"),
        UK("Vitality Health", "treatment.team@vitality.co.uk", "VitalityHealth"),
        UK("WPA Claims", "claims@wpa.org.uk", "WPA"),
    ],
    "uk_firm": [
        UK("Eleanor Voss", "evoss@harcourtlyle.example", "Harcourt Lyle LLP"),
        UK("James Oduya", "j.oduya@penhallowgrieve.example", "Penhallow & Grieve Solicitors"),
        UK("Ruth Calloway", "rcalloway@mercertolland.example", "Mercer Tolland Law"),
        UK("Kestrel Injury Lawyers", "medicals@kestrel-injury.example"),
    ],
    "mro": [
        UK(
            "Meridian Instructions Team",
            "instructions@meridian-medicolegal.example",
            "Meridian Medico-Legal Ltd",
        ),
        UK("Apex Expert Services", "experts@apexexperts.example", "Apex Expert Services Ltd"),
        UK("Premex Medical Reporting", "reporting@premex.com", "Premex Services"),
        UK("Speed Medical", "expertteam@speedmedical.com", "Speed Medical"),
    ],
    "us_firm": [S("Carla Baptiste", "cbaptiste@baptistecrowe-law.example", "Baptiste & Crowe LLP")],
    "council": [
        UK("SEND Assessment Team", "send.assessment@surreycc.gov.uk", "Surrey County Council"),
        UK("SEN Team", "sen.casework@hants.gov.uk", "Hampshire County Council"),
        UK("SEND Statutory Team", "sen.statutory@kent.gov.uk", "Kent County Council"),
        UK("EHC Hub", "ehc.hub@westsussex.gov.uk", "West Sussex County Council"),
        UK("SEND Casework", "send.casework@bristol.gov.uk", "Bristol City Council"),
        UK("EHCP Coordination", "ehcp@norfolk.gov.uk", "Norfolk County Council"),
    ],
    "housing": [
        UK("Private Sector Housing", "dfg@waverley.gov.uk", "Waverley Borough Council"),
        UK("Home Adaptations Team", "adaptations@guildford.gov.uk", "Guildford Borough Council"),
        UK("Housing Grants", "housing.grants@elmbridge.gov.uk", "Elmbridge Borough Council"),
    ],
    "gp": [
        UK("Dr Helen Marsh", "helen.marsh2@nhs.net", "Riverbank Medical Centre"),
        UK("Dr Kwame Asante", "k.asante@nhs.net", "Castle Street Surgery"),
    ],
    "nhs_hospital": [
        UK(
            "Trauma & Orthopaedic Outpatients",
            "rsc-tr.ortho.clinic@nhs.net",
            "Royal Surrey NHS Foundation Trust",
        ),
        UK("Paediatric Therapies", "paed.therapies@nhs.uk", "Ashford and St Peter's Hospitals"),
    ],
    "us_clinician": [
        S("Dr. Alan Whitaker", "awhitaker@inland-ortho.example", "Inland Orthopaedic Associates"),
        S("Jess Moreno, DPT", "jmoreno@northgate-pt.example", "Northgate Physical Therapy"),
        S("Dr. Sam Okoro", "sokoro@pacificheart.example", "Pacific Heart Partners"),
    ],
    "us_coach": [
        S("Coach Derek Lyle", "derek@ironpulse-training.example", "Iron Pulse Training"),
    ],
    "us_allied": [
        S("Mei Lin, LAc", "mei@willowpoint-acu.example", "Willow Point Acupuncture"),
        S("Hannah Cole, RDN", "hannah@rootednutrition.example", "Rooted Nutrition Co."),
        S("Dr. Rafe Dalton, DC", "rafe@cedarridge-chiro.example", "Cedar Ridge Chiropractic"),
    ],
    "uk_referrer": [
        UK("Lucy Farrant", "lucy.farrant@bridgeway-cm.example", "Bridgeway Case Management"),
        UK("Tom Ellery", "tom@harbourside-osteo.example", "Harbourside Osteopathy"),
        UK("Amira Haddad", "amira@thamesvalleyphysio.example", "Thames Valley Physio"),
    ],
    "team": [
        S(
            "Coach Brianna Ellis",
            "bellis@riverside-usd.example",
            "Riverside Central High School Athletics",
        ),
        S(
            "Marcus Flint, ATC",
            "mflint@riverside-usd.example",
            "Riverside Central High School Athletics",
        ),
        S("Riverside Rovers FC Operations", "ops@riversiderovers.example", "Riverside Rovers FC"),
        S(
            "Cascade Pacific Sports Medicine",
            "sportsmed@athletics.cascadepacific.example",
            "Cascade Pacific University Athletics",
        ),
    ],
    "lab": [
        S("Quest Diagnostics", "results.notify@questdiagnostics.com", "Quest Diagnostics"),
        S("Labcorp Link", "notifications@labcorp.com", "Labcorp"),
        S("Genova Diagnostics Client Services", "clientservices@gdx.net", "Genova Diagnostics"),
        S("Doctor's Data", "support@doctorsdata.com", "Doctor's Data"),
        S("Precision Analytical", "providers@dutchtest.com", "Precision Analytical (DUTCH)"),
        UK("Medichecks Clinical Team", "clinical@medichecks.com", "Medichecks"),
        UK("TDL Client Services", "client.services@tdlpathology.com", "The Doctors Laboratory"),
        UK("Regenerus Labs", "orders@regeneruslabs.com", "Regenerus Laboratories"),
    ],
    "cme": [
        S("AMSSM Education", "education@amssm.org", "AMSSM"),
        S("ACSM Professional Education", "proed@acsm.org", "ACSM"),
        S("AAFP CME", "cme@aafp.org", "AAFP"),
        S("Medscape Education", "cme@medscape.org", "Medscape Education"),
        S("IFM Education", "learning@ifm.org", "The Institute for Functional Medicine"),
        S("MedLearn CME", "certificates@medlearn-cme.example", "MedLearn CME"),
        UK("RCOT Learning", "learning@rcot.co.uk", "Royal College of Occupational Therapists"),
        UK("BASEM Events", "events@basem.co.uk", "BASEM"),
    ],
    "state_board": [
        S("Medical Board of California", "licensing@mbc.ca.gov"),
        S(
            "NYSED Office of the Professions",
            "opunit3@nysed.gov",
            "New York State Education Department",
        ),
        S("Texas Medical Board", "registrations@tmb.state.tx.us"),
    ],
    "dea": [
        S(
            "DEA Diversion Control Division",
            "registration@deadiversion.usdoj.gov",
            "Drug Enforcement Administration",
        )
    ],
    "caqh": [S("CAQH ProView", "proview.notifications@caqh.org", "CAQH")],
    "board_cert": [
        S("American Board of Emergency Medicine", "certification@abem.org", "ABEM"),
        S("American Board of Family Medicine", "support@theabfm.org", "ABFM"),
    ],
    "hospital": [
        S(
            "Medical Staff Office",
            "medstaff@stbrendan-med.example",
            "St. Brendan Regional Medical Center",
        ),
    ],
    "malpractice": [
        S("The Doctors Company", "renewals@thedoctors.com"),
        S("Keystone Medical Indemnity", "policyservices@keystone-indemnity.example"),
        S("MedPro Group", "service@medpro.com"),
    ],
    "hcpc": [
        UK("HCPC Registration", "registration@hcpc-uk.org", "Health and Care Professions Council"),
    ],
    "gmc": [UK("GMC Revalidation", "revalidation@gmc-uk.org", "General Medical Council")],
    "uk_indemnity": [
        UK("Balens Insurance", "renewals@balens.co.uk", "Balens"),
        UK("Hartwell Indemnity", "membership@hartwell-indemnity.example"),
        UK("Medical Protection", "membership@medicalprotection.org", "Medical Protection Society"),
    ],
    "payer_cred": [
        S("Aetna Provider Credentialing", "credentialing@aetna.com", "Aetna"),
        S("UnitedHealthcare Credentialing", "credentialing@uhc.com", "UnitedHealthcare"),
        S("Cigna Network Management", "network.credentialing@cigna.com", "Cigna Healthcare"),
    ],
    "supplement": [
        S("Fullscript", "orders@fullscript.com"),
        S("Emerson Ecologics", "customerservice@emersonecologics.com"),
        S("Thorne Professional", "practitioner@thorne.com", "Thorne"),
        S("Metagenics", "orders@metagenics.com"),
        S("Designs for Health", "support@designsforhealth.com"),
        UK("Natural Dispensary", "orders@naturaldispensary.co.uk"),
        UK("BioCare Practitioner Services", "practitioner@biocare.co.uk", "BioCare"),
    ],
    "medsupply": [
        S("Henry Schein Medical", "orders@henryschein.com"),
        S("McKesson Medical-Surgical", "customer.service@mckesson.com"),
        S("Medline", "orderconfirm@medline.com", "Medline Industries"),
        UK("Complete Care Shop", "sales@completecareshop.co.uk"),
        UK("NRS Healthcare", "orders@nrshealthcare.co.uk"),
    ],
    "journal": [
        S("BJSM", "alerts@bmj.com", "British Journal of Sports Medicine"),
        S("SAGE Journals", "alerts@sagepub.com", "The American Journal of Sports Medicine"),
        S("JOSPT", "etoc@jospt.org", "Journal of Orthopaedic & Sports Physical Therapy"),
        S("JAMA Network", "jamanetwork@jamanetwork.com", "JAMA Network Open"),
        S("NEJM", "etoc@nejm.org", "The New England Journal of Medicine"),
        S(
            "Taylor & Francis Online",
            "alerts@tandfonline.com",
            "British Journal of Occupational Therapy",
        ),
    ],
    "digest": [
        S("Evidence Brief Weekly", "digest@evidencebrief.example"),
        S("Integrative Evidence Digest", "editor@integrative-evidence.example"),
        S("Cochrane Library", "alerts@cochranelibrary.com", "Cochrane Library"),
        S("My NCBI", "efback@ncbi.nlm.nih.gov", "PubMed"),
    ],
}

# Senders NOT in the directories: each half has its own, so holdout tests generalisation.
UNKNOWN: dict[str, dict[str, list[Sender]]] = {
    "dev": {
        "us_payer": [
            S(
                "Premera Blue Cross Utilization Review",
                "ur.notices@premera.com",
                "Premera Blue Cross",
            ),
            S(
                "Summit Ridge Health Plan",
                "priorauth@summitridgehealth.example",
                "Summit Ridge Health Plan",
            ),
        ],
        "uk_insurer": [
            UK(
                "Harbourline Health Insurance",
                "authorisations@harbourline-health.example",
                "Harbourline Health",
            ),
        ],
        "uk_firm": [
            UK("Nadia Rahman", "nrahman@ashdownfairley.example", "Ashdown Fairley Solicitors"),
            UK("Brightwater Law PI Team", "pi@brightwaterlaw.example", "Brightwater Law LLP"),
        ],
        "us_firm": [
            S(
                "Monica Reyes, Paralegal",
                "records@kesslermoyer-law.example",
                "Kessler & Moyer, P.C.",
            )
        ],
        "council": [
            UK(
                "SEND Assessment Service",
                "send.assessment@warwickshire.gov.uk",
                "Warwickshire County Council",
            ),
            UK(
                "Education, Health and Care Team",
                "ehc.team@shropshire.gov.uk",
                "Shropshire Council",
            ),
        ],
        "gp": [UK("Dr Ana Ruiz", "ana.ruiz@lakeviewfm.example", "Lakeview Family Medicine")],
        "us_coach": [S("Mike Torres", "coach.mike.torres@gmail.com", "Torres Running Club")],
        "us_clinician": [
            S("Summit Spine & Joint", "referrals@summitspine.example", "Summit Spine & Joint")
        ],
        "team": [
            S("Bayside Barracudas Swim Club", "headcoach@baysideswim.example"),
            UK("Northfield RFC", "welfare@northfieldrfc.example", "Northfield RFC"),
        ],
        "lab": [S("Northcoast Reference Laboratory", "clientcare@ncrl.example")],
        "cme": [S("Sports Ultrasound Academy", "courses@sportsus-academy.example")],
        "state_board": [
            S("Colorado Medical Board", "dora_medicalboard@state.co.us", "Colorado Medical Board")
        ],
        "hospital": [
            S(
                "Mercy Valley Hospital Medical Staff Services",
                "credentialing@mercyvalley.example",
                "Mercy Valley Hospital",
            )
        ],
        "supplement": [S("Cascade Botanicals", "wholesale@cascadebotanicals.example")],
        "journal": [
            S("Frontiers", "alerts@frontiersin.org", "Frontiers in Sports and Active Living")
        ],
    },
    "holdout": {
        "us_payer": [
            S(
                "Wellmark Provider Services",
                "providerservices@wellmark.com",
                "Wellmark Blue Cross and Blue Shield",
            ),
            S("Cedar Valley Health Plan", "um@cedarvalleyhp.example", "Cedar Valley Health Plan"),
        ],
        "uk_insurer": [
            UK("National Friendly Claims", "claims@nationalfriendly.co.uk", "National Friendly"),
            UK(
                "Kingsgate Medical Insurance",
                "treatment@kingsgate-medical.example",
                "Kingsgate Medical Insurance",
            ),
        ],
        "uk_firm": [
            UK("Owen Pritchard", "opritchard@thorncliffebryant.example", "Thorncliffe Bryant LLP"),
            UK("Oakhurst Legal Claims Team", "claims@oakhurstlegal.example", "Oakhurst Legal"),
        ],
        "mro": [
            UK(
                "Clearview Instructions",
                "instructions@clearview-mro.example",
                "Clearview Medical Reporting",
            )
        ],
        "us_firm": [
            S(
                "Delgado Finch Injury Attorneys",
                "paralegal@delgadofinch.example",
                "Delgado Finch Injury Attorneys",
            )
        ],
        "council": [
            UK("SEND Team", "send@northyorks.gov.uk", "North Yorkshire Council"),
            UK("SEN Assessment and Review", "senar@cheshireeast.gov.uk", "Cheshire East Council"),
        ],
        "housing": [UK("Adaptations Service", "adaptations@wirral.gov.uk", "Wirral Council")],
        "gp": [UK("Dr Fiona Grant", "fiona.grant@outlook.com", "Private GP")],
        "us_clinician": [
            S("Maplewood Pediatrics", "referrals@maplewoodpeds.example"),
            S("Kai Holloway, PT", "kai@hollowayphysio.example", "Holloway Physio"),
        ],
        "uk_referrer": [
            UK("Anchor Rehab Case Management", "referrals@anchor-rehab.example"),
        ],
        "team": [
            S(
                "Westbrook High Athletics",
                "athletics@westbrook-hs.example",
                "Westbrook High School",
            ),
            S("Harbor City FC Academy", "academy@harborcityfc.example"),
            S(
                "Granite Peaks Volleyball",
                "director@granitepeaksvbc.example",
                "Granite Peaks Volleyball Club",
            ),
        ],
        "lab": [
            S("Alpine Functional Labs", "reports@alpinefxlabs.example"),
            UK("Meridian Pathology Services", "results@meridianpath.example"),
        ],
        "cme": [
            UK("OT Learning Hub", "hello@otlearninghub.example"),
            S("Pinnacle CME", "registrar@pinnaclecme.example"),
        ],
        "state_board": [S("Nevada State Board of Medical Examiners", "licensing@medboard.nv.gov")],
        "malpractice": [S("Larchmont Professional Liability", "renewals@larchmont-pl.example")],
        "hospital": [
            S(
                "Lakeside Regional Medical Center",
                "credentials@lakesidermc.example",
                "Lakeside Regional Medical Center",
            )
        ],
        "medsupply": [UK("Meridian Medical Supplies", "orders@meridianmedsupplies.example")],
        "supplement": [S("Verdant Nutraceuticals", "orders@verdantnutra.example")],
        "journal": [
            S("MDPI", "alerts@mdpi.com", "Journal of Clinical Medicine"),
            S("Physio Evidence Roundup", "roundup@physio-roundup.example"),
        ],
    },
}

# Senders of unclassified mail (null). Directory domains here are the look-alikes.
NULL_SENDERS: dict[str, list[Sender]] = {
    "payer_news": [
        S("Aetna Provider Communications", "providernews@aetna.com", "Aetna"),
        S(
            "UnitedHealthcare Network Bulletin",
            "networkbulletin@uhcprovider.com",
            "UnitedHealthcare",
        ),
        S("Cigna Provider News", "news@cigna.com", "Cigna Healthcare"),
        S("Anthem Provider News", "providernews@anthem.com", "Anthem Blue Cross"),
        UK("Bupa Provider Update", "providerupdate@bupa.co.uk", "Bupa"),
        UK("AXA Health Practitioner News", "practitioner.news@axahealth.co.uk", "AXA Health"),
        S("Noridian Listserv", "listserv@noridian.com", "Noridian"),
    ],
    "council_news": [
        UK("Surrey Local Offer", "localoffer@surreycc.gov.uk", "Surrey County Council"),
        UK("Kent SEND Information", "sendinfo@kent.gov.uk", "Kent County Council"),
        UK("Hampshire Family Information", "fis@hants.gov.uk", "Hampshire County Council"),
        UK("Guildford Borough Council", "noreply@guildford.gov.uk"),
        UK("Waverley Borough Council Council Tax", "counciltax@waverley.gov.uk"),
    ],
    "lab_marketing": [
        S("Quest Diagnostics", "marketing@questdiagnostics.com"),
        UK("Medichecks", "offers@medichecks.com"),
        S("Genova Diagnostics", "news@gdx.net"),
        S("Labcorp", "insights@labcorp.com"),
    ],
    "cme_marketing": [
        S("AMSSM", "meetings@amssm.org"),
        S("ACSM", "marketing@acsm.org"),
        S("Medscape", "news@medscape.com"),
        UK("RCOT", "communications@rcot.co.uk"),
        S("Global Sports Medicine Summit", "events@sportsmedsummit.example"),
    ],
    "supplier_marketing": [
        S("Thorne", "news@thorne.com"),
        S("Fullscript", "hello@fullscript.com"),
        UK("BioCare", "marketing@biocare.co.uk"),
        S("Henry Schein Medical", "promotions@henryschein.com"),
    ],
    "journal_marketing": [
        S("BMJ", "subscriptions@bmj.com"),
        S("NEJM Group", "customerservice@nejm.org"),
        S("SAGE Publishing", "authorservices@sagepub.com"),
    ],
    "cred_news": [
        UK("HCPC", "news@hcpc-uk.org", "Health and Care Professions Council"),
        UK("GMC", "gmcnews@gmc-uk.org", "General Medical Council"),
        UK(
            "Medical Protection",
            "riskmanagement@medicalprotection.org",
            "Medical Protection Society",
        ),
        S("The Doctors Company", "patientsafety@thedoctors.com"),
    ],
    "team_news": [
        S("Riverside Rovers FC", "fans@riversiderovers.example"),
        S("Riverside Central Booster Club", "boosters@riverside-usd.example"),
    ],
    "nhs_news": [
        UK("NHS Surrey Heartlands Primary Care Bulletin", "syheartlands.bulletin@nhs.net"),
        UK("Royal Surrey Comms", "rsch.communications@nhs.net", "Royal Surrey NHS FT"),
    ],
    "personal": [
        S("Jamie Castellanos", "jamie.castellanos@gmail.com"),
        S("Priya", "priya.k.89@yahoo.com"),
        UK("Mum", "margaret.blake51@btinternet.com"),
        S("Rob Delaney", "rob.delaney@outlook.com"),
        UK("Elmstead Book Club", "elmsteadbookclub@gmail.com"),
    ],
    "vendor": [
        S("PracticePanther Billing", "billing@practicepanther.example"),
        S("Zoom", "no-reply@zoom.example"),
        S("Squarespace Domains", "domains@squarespace.example"),
        S("First Harbor Bank", "alerts@firstharborbank.example"),
        UK("Octopus Energy", "hello@octopus.energy.example"),
        S("Amazon.com", "shipment-tracking@amazon.example"),
        UK("Royal Mail", "noreply@royalmail.example"),
        S("Locum Partners Staffing", "jobs@locumpartners.example"),
        S("Bright Dental", "reminders@brightdental.example"),
    ],
    "phish": [
        S("Availity Security", "security@availity-portal-verify.example"),
        S("DEA Diversion Office", "dea.enforcement@usdoj-gov.example"),
        S("Aetna Payments", "payments@aetna-provider-remit.example"),
        S("Microsoft 365", "admin@m365-mailbox-quota.example"),
        UK("HCPC Registrations", "renewals@hcpc-uk-registration.example"),
    ],
    # Auto-replies from parties in the directories: about a case, but saying nothing.
    "autoreply": [
        UK("Eleanor Voss", "evoss@harcourtlyle.example", "Harcourt Lyle LLP"),
        UK("SEND Assessment Team", "send.assessment@surreycc.gov.uk", "Surrey County Council"),
        S("Carla Baptiste", "cbaptiste@baptistecrowe-law.example", "Baptiste & Crowe LLP"),
        S("Jess Moreno, DPT", "jmoreno@northgate-pt.example", "Northgate Physical Therapy"),
        UK("Lucy Farrant", "lucy.farrant@bridgeway-cm.example", "Bridgeway Case Management"),
    ],
}


# --------------------------------------------------------------------------- the practices
@dataclass(frozen=True)
class Practice:
    name: str
    practitioner: str
    addr: str
    staff: tuple[tuple[str, str], ...]
    country: str


PRACTICES = {
    "US": [
        Practice(
            "Harbor Point Sports Medicine",
            "Dr. Maya Castellanos",
            "maya@harborpoint-sportsmed.example",
            (
                ("Dana Whitcombe", "office@harborpoint-sportsmed.example"),
                ("Luis Ortega", "billing@harborpoint-sportsmed.example"),
            ),
            "US",
        ),
        Practice(
            "Juniper Integrative Clinic",
            "Dr. Owen Falk",
            "owen@juniper-clinic.example",
            (("Lena Marsh", "frontdesk@juniper-clinic.example"),),
            "US",
        ),
    ],
    "GB": [
        Practice(
            "Elmstead Occupational Therapy",
            "Rhiannon Blake",
            "rhiannon@elmstead-ot.example",
            (("Priti Sandhu", "admin@elmstead-ot.example"),),
            "GB",
        )
    ],
}


# --------------------------------------------------------------------------- invented values
FIRST = [
    "Amelia",
    "Theo",
    "Priya",
    "Marcus",
    "Zoë",
    "Kieran",
    "Sofia",
    "Jonah",
    "Imogen",
    "Rafael",
    "Leah",
    "Callum",
    "Nadia",
    "Felix",
    "Harriet",
    "Dmitri",
    "Aisha",
    "Owen",
    "Beatriz",
    "Tobias",
    "Grace",
    "Mateo",
    "Eilidh",
    "Ravi",
    "Clara",
    "Jasper",
    "Yasmin",
    "Declan",
    "Ingrid",
    "Samuel",
    "Freya",
    "Luca",
    "Maeve",
    "Hamza",
    "Rosalind",
    "Elliot",
    "Siobhán",
    "José",
    "Anouk",
    "Idris",
]
LAST = [
    "Whitford",
    "Okonkwo",
    "Lindqvist",
    "Barraclough",
    "Desai",
    "Fairweather",
    "Moreau",
    "Quigley",
    "Hartley",
    "Nakamura",
    "Pellegrini",
    "Ashworth",
    "Kowalczyk",
    "Brennan",
    "Oyelaran",
    "Thistlewood",
    "Castell",
    "Rourke",
    "Vance",
    "Iqbal",
    "Delacroix",
    "Fenwick",
    "Mbeki",
    "Strand",
    "Halloran",
    "Pascoe",
    "Varga",
    "Ellington",
    "Sato",
    "Marchetti",
    "Oduya",
    "Kerridge",
    "Lindgren",
    "Abernethy",
    "Cho",
    "Sandoval",
    "Whelan",
    "Petrakis",
    "Gallagher",
    "Tremayne",
]
SCHOOLS = (
    "Oakfield Primary School",
    "St Aldhelm's CofE Junior School",
    "Brookside Academy",
    "Hillcrest Community School",
    "Marlowe Park Primary",
)
PROCEDURES = (
    ("73721", "MRI lower extremity joint without contrast"),
    ("73221", "MRI upper extremity joint without contrast"),
    ("72148", "MRI lumbar spine without contrast"),
    ("20611", "major joint injection with ultrasound guidance"),
    ("29881", "knee arthroscopy with meniscectomy"),
    ("97110", "therapeutic exercise, 8 visits"),
    ("76882", "limited musculoskeletal ultrasound"),
)
COURSES = (
    "Sports Ultrasound: Shoulder and Elbow",
    "Concussion Management Update 2026",
    "Running Injuries: From Gait to Return",
    "Sensory Integration in Practice",
    "Functional Approaches to Fatigue",
    "Hand Therapy Essentials",
    "Point-of-Care MSK Ultrasound Workshop",
    "Paediatric Handwriting and Motor Skills",
)
SPORTS = ("soccer", "basketball", "volleyball", "lacrosse", "rugby", "swimming", "track")


def _digits(rng: random.Random, n: int) -> str:
    return rng.choice("123456789") + "".join(rng.choice(string.digits) for _ in range(n - 1))


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTWXY") for _ in range(n))


def make_ref(rng: random.Random, pattern: str) -> str:
    """A reference from a pattern: ``#`` a digit, ``@`` a capital letter, else as written."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(rng.choice(string.digits))
        elif ch == "@":
            out.append(_letters(rng, 1))
        else:
            out.append(ch)
    return "".join(out)


def fmt_date(day: date, country: str, numeric: bool = False) -> str:
    if numeric:
        return day.strftime("%m/%d/%Y") if country == "US" else day.strftime("%d/%m/%Y")
    if country == "US":
        return f"{day.strftime('%B')} {day.day}, {day.year}"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def values(
    rng: random.Random, split: str, sender: Sender, practice: Practice, sent: date
) -> dict[str, str]:
    """Every placeholder a phrasing may use, invented for one message."""
    formats = PHRASING[split].REF_FORMATS
    country = sender.country
    first, last = rng.choice(FIRST), rng.choice(LAST)
    adult = date(rng.randint(1952, 2006), rng.randint(1, 12), rng.randint(1, 28))
    child = date(rng.randint(2011, 2021), rng.randint(1, 12), rng.randint(1, 28))
    due = sent + timedelta(days=rng.choice((10, 14, 21, 28, 30, 42)))
    later = sent + timedelta(days=rng.randint(20, 90))
    earlier = sent - timedelta(days=rng.randint(10, 60))
    cpt, procedure = rng.choice(PROCEDURES)
    v: dict[str, str] = {
        "first": first,
        "last": last,
        "patient": f"{first} {last}",
        "initials": f"{first[0]}{last[0]}",
        "title": rng.choice(("Mr", "Ms", "Mrs", "Miss")),
        "dob": fmt_date(adult, country, numeric=True),
        "child_dob": fmt_date(child, country, numeric=True),
        "age": str(sent.year - adult.year),
        "child_age": str(sent.year - child.year),
        "date": fmt_date(sent - timedelta(days=rng.randint(1, 6)), country),
        "today": fmt_date(sent, country),
        "due": fmt_date(due, country),
        "later": fmt_date(later, country),
        "earlier": fmt_date(earlier, country),
        "dos": fmt_date(earlier, country, numeric=True),
        "weekday": rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        "time": rng.choice(("9:30", "10:00", "11:15", "2:00", "3:30", "4:45")),
        "cpt": cpt,
        "procedure": procedure,
        "amount": f"{rng.randint(60, 900)}.{rng.choice(('00', '50', '25', '80'))}",
        "amount2": f"{rng.randint(900, 4200)}.00",
        "sessions": str(rng.choice((4, 6, 8, 10, 12))),
        "member_id": f"{_letters(rng, 1)}{_digits(rng, 9)}",
        "member_uk": _digits(rng, 8),
        "nhs": f"{_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 4)}",
        "school": rng.choice(SCHOOLS),
        "course": rng.choice(COURSES),
        "credits": rng.choice(("1.5", "2", "3.25", "6", "8", "12.5", "18")),
        "sport": rng.choice(SPORTS),
        "jersey": str(rng.randint(2, 44)),
        "vol": str(rng.randint(40, 61)),
        "issue": str(rng.randint(1, 24)),
        "number": str(rng.randint(3, 40)),
        "org": sender.org,
        "sender": sender.name,
        "practitioner": practice.practitioner,
        "practice": practice.name,
        "defendant": rng.choice(LAST),
        "colleague": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "trace": _digits(rng, 10),
        "invoice": f"INV-{_digits(rng, 4)}",
    }
    for name, patterns in formats.items():
        v[name] = make_ref(rng, rng.choice(patterns))
    return v


def respell_uk(text: str) -> str:
    return _respell(text, US_TO_UK)


def respell_us(text: str) -> str:
    return _respell(text, {uk: us for us, uk in US_TO_UK.items()})


US_TO_UK = {
    "authorization": "authorisation",
    "authorize": "authorise",
    "authorized": "authorised",
    "authorizing": "authorising",
    "preauthorization": "pre-authorisation",
    "center": "centre",
    "pediatric": "paediatric",
    "orthopedic": "orthopaedic",
    "program": "programme",
    "enrollment": "enrolment",
    "organization": "organisation",
    "favorable": "favourable",
    "unfavorable": "unfavourable",
    "behavior": "behaviour",
    "utilization": "utilisation",
    "catalog": "catalogue",
    "canceled": "cancelled",
    "analyze": "analyse",
    "recognized": "recognised",
    "specialized": "specialised",
    "hemolyzed": "haemolysed",
    "license": "licence",
    "anesthesia": "anaesthesia",
}


def _respell(text: str, table: dict[str, str]) -> str:
    def swap(found: re.Match[str]) -> str:
        word = found.group(0)
        new = table[word.lower()]
        if word.isupper():
            return new.upper()
        return new[0].upper() + new[1:] if word[0].isupper() else new

    pattern = r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b"
    return re.sub(pattern, swap, text, flags=re.IGNORECASE)


# --------------------------------------------------------------------------- one message
@dataclass
class Mail:
    """One corpus message before it becomes MIME."""

    sender: Sender
    to: tuple[str, str]
    subject: str
    body: str
    sent: datetime
    category: str
    case_kind: str
    refs: dict[str, str]
    variant: str
    quote: str | None = None  # quoted history (a reply)
    quote_from: tuple[str, str] | None = None
    forward: Mail | None = None  # the original, when staff forward it
    forward_note: str = ""
    pdf: str | None = None
    ics: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _sent(rng: random.Random, sender: Sender) -> datetime:
    day = date(2026, 9, 1) + timedelta(days=rng.randint(0, 105))
    while day.weekday() >= 5 and rng.random() < 0.85:
        day += timedelta(days=1)
    zone = ZoneInfo("Europe/London" if sender.country == "GB" else "America/New_York")
    return datetime(
        day.year, day.month, day.day, rng.randint(7, 18), rng.randint(0, 59), tzinfo=zone
    )


def _fill(text: str, v: dict[str, str]) -> str:
    return text.format(**v)


def _clean_body(text: str) -> str:
    lines = text.strip("\n").split("\n")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render(
    rng: random.Random, split: str, category: str, t: dict[str, Any], variant: str, index: int
) -> Mail:
    """One Mail from a phrasing ``t`` and a planned ``variant``."""
    phr = PHRASING[split]
    who = t["who"]
    base = who.removesuffix("_us").removesuffix("_uk")
    pool = list(KNOWN.get(base, [])) + list(UNKNOWN[split].get(base, []))
    if who != base:  # "cme_us", "cme_uk": the pool's senders of that country
        pool = [x for x in pool if x.country == ("US" if who.endswith("_us") else "GB")]
    if category == "null":
        pool = list(NULL_SENDERS[t["who"]])
    if not pool:
        raise SystemExit(f"no senders for {t['who']!r}")
    sender = pool[index % len(pool)] if rng.random() < 0.5 else rng.choice(pool)
    country = t.get("country", sender.country)
    practices = PRACTICES[country if country in PRACTICES else "US"]
    if category == "team" or t["who"] in ("bm", "mac"):
        practices = practices[:1]  # the sports-medicine practice
    elif category == "supplier" and t["who"] == "supplement":
        practices = practices[-1:]  # the integrative clinic
    practice = rng.choice(practices)
    sent = _sent(rng, sender)
    v = values(rng, split, sender, practice, sent.date())
    subject, body = t["subject"], t["body"]
    quote = t.get("quote")
    # Spelling: the other side of the Atlantic's now and then.
    if rng.random() < 0.3:
        flip = respell_uk if sender.country == "US" else respell_us
        subject, body = flip(subject), flip(body)
        quote = flip(quote) if quote else None
    subject, body = _fill(subject, v), _fill(body, v)
    refs = {name: v[key] for name, key in t.get("refs", {}).items()}
    mail = Mail(
        sender=sender,
        to=(practice.practitioner, practice.addr),
        subject=subject,
        body=_clean_body(body),
        sent=sent,
        category=category if category != "null" else "",
        case_kind=t.get("kind") or "",
        refs=refs,
        variant=variant,
        pdf=t.get("pdf"),
    )
    if quote:
        mail.quote = _clean_body(_fill(quote, v))
        mail.quote_from = (practice.practitioner, practice.addr)
        mail.subject = phr.reply_prefix(rng) + subject
        mail.variant = "reply"
    if t.get("ics"):
        start = sent + timedelta(days=rng.randint(5, 40))
        start = start.replace(hour=rng.choice((9, 10, 13, 17, 18)), minute=0)
        mail.ics = {"summary": _fill(t["ics"], v), "start": start.strftime("%Y%m%dT%H%M%S")}
        mail.variant = "invite"
    if variant.startswith("fwd") and not quote and not t.get("ics"):
        staff_name, staff_addr = rng.choice(practice.staff)
        inner = mail
        inner.variant = "original"
        outer = Mail(
            sender=Sender(staff_name, staff_addr, practice.name, practice.country),
            to=(practice.practitioner, practice.addr),
            subject=phr.forward_prefix(rng) + inner.subject,
            body="",
            sent=inner.sent + timedelta(hours=rng.randint(1, 30)),
            category=inner.category,
            case_kind=inner.case_kind,
            refs=inner.refs,
            variant=variant,
            forward=inner,
            forward_note=_fill(rng.choice(phr.FORWARD_NOTES), v),
        )
        return outer
    if variant.startswith("fwd"):
        mail.variant = mail.variant if mail.variant in ("reply", "invite") else "plain"
    elif mail.variant not in ("reply", "invite"):
        mail.variant = variant
    return mail


# --------------------------------------------------------------------------- MIME
def _msgid(mail: Mail, index: int, split: str) -> str:
    digest = hashlib.sha256(f"{split}/{index}/{mail.subject}".encode()).hexdigest()[:16]
    return f"<{digest}.{index}@{mail.sender.addr.rpartition('@')[2]}>"


def _encode_header(value: str, force: bool) -> str:
    if force or not value.isascii():
        return Header(value, "utf-8", maxlinelen=76).encode()
    return value


def _address(name: str, addr: str) -> str:
    if name.isascii():
        return formataddr((name, addr))
    return formataddr((name, addr), charset="utf-8")


def _text_part(text: str, subtype: str, encoding: str) -> tuple[list[str], str]:
    """(headers, body) of one text part in ``encoding``: 7bit/8bit, qp or b64."""
    data = text.encode("utf-8")
    charset = "us-ascii" if data.isascii() else "utf-8"
    headers = [f'Content-Type: text/{subtype}; charset="{charset}"']
    if encoding == "b64":
        body = base64.encodebytes(data).decode("ascii")
        headers.append("Content-Transfer-Encoding: base64")
    elif encoding == "qp" or (not data.isascii() and encoding != "8bit"):
        body = quopri.encodestring(data).decode("ascii")
        headers.append("Content-Transfer-Encoding: quoted-printable")
    else:
        body = text
        headers.append(f"Content-Transfer-Encoding: {'7bit' if data.isascii() else '8bit'}")
    return headers, body


_KV = re.compile(r"^([A-Z][A-Za-z0-9 #/().'&-]{1,40}?):[ \t]+(\S.*)$")


def to_html(text: str, tables: bool, colon: bool) -> str:
    """A plain body as the HTML a mail system would send: paragraphs, quotes, and (when
    ``tables``) runs of ``Label: value`` lines laid out as a two-column table."""
    blocks = re.split(r"\n\s*\n", text.strip())
    out = ["<html><head><style>p{font-family:Arial}</style></head><body>"]
    for block in blocks:
        lines = block.split("\n")
        if all(line.startswith(">") for line in lines):
            inner = "<br>\n".join(html.escape(line.lstrip("> ")) for line in lines)
            out.append(f"<blockquote>{inner}</blockquote>")
            continue
        if tables and len(lines) >= 2 and all(_KV.match(line) for line in lines):
            rows = []
            for line in lines:
                found = _KV.match(line)
                assert found is not None
                label = html.escape(found.group(1)) + (":" if colon else "")
                rows.append(
                    f'<tr><td style="font-weight:bold">{label}</td>'
                    f"<td>{html.escape(found.group(2))}</td></tr>"
                )
            out.append('<table cellpadding="4">' + "".join(rows) + "</table>")
            continue
        out.append("<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _pdf(name: str) -> str:
    data = (
        b"%PDF-1.4\n% synthetic attachment for the quality corpus: " + name.encode() + b"\n"
        b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return base64.encodebytes(data).decode("ascii")


def _ics(mail: Mail, uid: str) -> str:
    start = mail.ics["start"] if mail.ics else "20261201T100000"
    end = start[:9] + f"{(int(start[9:11]) + 2) % 24:02d}" + start[11:]
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Quality corpus//EN",
        "VERSION:2.0",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261101T120000Z",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        f"SUMMARY:{mail.ics['summary'] if mail.ics else ''}",
        f"ORGANIZER;CN={mail.sender.name}:mailto:{mail.sender.addr}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{mail.to[1]}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def _quoted_body(mail: Mail, split: str) -> str:
    assert mail.quote is not None and mail.quote_from is not None
    when = mail.sent - timedelta(days=2, hours=3)
    quoted: str = PHRASING[split].quote_block(
        mail.body, mail.quote, mail.quote_from, when, mail.subject
    )
    return quoted


def _forward_inline(mail: Mail, split: str) -> str:
    inner = mail.forward
    assert inner is not None
    original = inner.body if inner.quote is None else _quoted_body(inner, split)
    forwarded: str = PHRASING[split].forward_block(
        mail.forward_note, original, inner.sender, inner.sent, inner.subject, inner.to
    )
    return forwarded


def build_bytes(mail: Mail, index: int, split: str, rng: random.Random) -> bytes:
    boundary = f"=_quality_{split}_{index:04d}"
    headers = [
        f"From: {_address(mail.sender.name, mail.sender.addr)}",
        f"To: {_address(*mail.to)}",
        f"Subject: {_encode_header(mail.subject, mail.variant == 'rfc2047')}",
        f"Date: {format_datetime(mail.sent)}",
        f"Message-ID: {_msgid(mail, index, split)}",
        "MIME-Version: 1.0",
    ]
    if mail.variant == "reply":
        parent = (
            f"<{hashlib.sha256(mail.subject.encode()).hexdigest()[:20]}@"
            f"{mail.to[1].rpartition('@')[2]}>"
        )
        headers += [f"In-Reply-To: {parent}", f"References: {parent}"]
    headers += [f"{k}: {v}" for k, v in mail.headers.items()]
    body_text = mail.body
    if mail.variant == "reply":
        body_text = _quoted_body(mail, split)
    if mail.variant == "fwd-inline":
        body_text = _forward_inline(mail, split)
    if mail.variant == "fwd-attached":
        assert mail.forward is not None
        inner = build_bytes(mail.forward, index + 50000, split, rng).decode("utf-8")
        note_h, note_b = _text_part(mail.forward_note + "\n", "plain", "7bit")
        fname = re.sub(r"[^A-Za-z0-9 -]", "", mail.forward.subject)[:50].strip() or "message"
        parts = [
            "\n".join(note_h) + "\n\n" + note_b,
            "Content-Type: message/rfc822\n"
            f'Content-Disposition: attachment; filename="{fname}.eml"\n\n' + inner,
        ]
        return _multipart(headers, "mixed", boundary, parts)
    if mail.variant == "html":
        h, b = _text_part(
            to_html(body_text, tables=index % 2 == 0, colon=index % 4 == 0),
            "html",
            "qp" if index % 3 == 0 else "7bit",
        )
        return _single(headers, h, b)
    if mail.variant == "alt":
        ph, pb = _text_part(body_text, "plain", "7bit")
        hh, hb = _text_part(to_html(body_text, tables=True, colon=index % 2 == 0), "html", "qp")
        return _multipart(
            headers,
            "alternative",
            boundary,
            ["\n".join(ph) + "\n\n" + pb, "\n".join(hh) + "\n\n" + hb],
        )
    if mail.variant == "invite":
        ph, pb = _text_part(body_text, "plain", "7bit")
        uid = hashlib.sha256(f"{split}{index}".encode()).hexdigest()[:24] + "@quality.example"
        cal = _ics(mail, uid)
        inner = _multipart(
            [],
            "alternative",
            boundary + "_alt",
            [
                "\n".join(ph) + "\n\n" + pb,
                'Content-Type: text/calendar; charset="utf-8"; method=REQUEST\n'
                "Content-Transfer-Encoding: 7bit\n\n" + cal,
            ],
        ).decode("utf-8")
        return _multipart(headers, "mixed", boundary, [inner.lstrip("\n")])
    encoding = {"qp": "qp", "b64": "b64", "8bit": "8bit"}.get(mail.variant, "auto")
    h, b = _text_part(body_text, "plain", encoding)
    if mail.variant == "pdf" or mail.pdf:
        name = mail.pdf or "letter.pdf"
        attach = (
            f'Content-Type: application/pdf; name="{name}"\n'
            f'Content-Disposition: attachment; filename="{name}"\n'
            "Content-Transfer-Encoding: base64\n\n" + _pdf(name)
        )
        return _multipart(headers, "mixed", boundary, ["\n".join(h) + "\n\n" + b, attach])
    return _single(headers, h, b)


def _single(headers: list[str], part_headers: list[str], body: str) -> bytes:
    return ("\n".join(headers + part_headers) + "\n\n" + body).encode("utf-8")


def _multipart(headers: list[str], subtype: str, boundary: str, parts: list[str]) -> bytes:
    head = headers + [f'Content-Type: multipart/{subtype}; boundary="{boundary}"']
    chunks = ["\n".join(head) + "\n\n"]
    if headers:
        chunks.append("This is a multi-part message in MIME format.\n")
    for part in parts:
        chunks.append(f"\n--{boundary}\n{part.rstrip(chr(10))}\n")
    chunks.append(f"\n--{boundary}--\n")
    return "".join(chunks).encode("utf-8")


# --------------------------------------------------------------------------- the plan
VARIANTS = [
    "fwd-inline",
    "fwd-attached",
    "html",
    "html",
    "html",
    "alt",
    "alt",
    "alt",
    "pdf",
    "pdf",
] + ["qp", "qp", "b64", "rfc2047", "rfc2047", "8bit"]


def plan(rng: random.Random, split: str) -> list[tuple[str, dict[str, Any], str]]:
    """(category, phrasing, variant) for every message of one half."""
    phr = PHRASING[split]
    out: list[tuple[str, dict[str, Any], str]] = []
    for category in (*CATEGORIES, "null"):
        templates = list(phr.TEMPLATES[category])
        n = PER_NULL if category == "null" else PER_CATEGORY
        picks: list[dict[str, Any]] = []
        while len(picks) < n:
            batch = templates[:]
            rng.shuffle(batch)
            picks.extend(batch)
        picks = picks[:n]
        variants = list(VARIANTS) + ["plain"] * max(0, n - len(VARIANTS))
        if category == "research":  # staff rarely forward a journal alert
            variants = [x if not x.startswith("fwd") else "plain" for x in variants]
        variants = variants[:n]
        rng.shuffle(variants)
        out.extend((category, t, var) for t, var in zip(picks, variants, strict=True))
    return out


def build(out: Path) -> list[dict[str, str]]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rows: list[dict[str, str]] = []
    for split in ("dev", "holdout"):
        rng = random.Random(f"{SEED}-{split}")
        items = plan(rng, split)
        rng.shuffle(items)
        for number, (category, t, variant) in enumerate(items, start=1):
            mail = render(rng, split, category, t, variant, number)
            name = f"{split}-{number:04d}.eml"
            (out / name).write_bytes(build_bytes(mail, number, split, rng))
            rows.append(
                {
                    "file": name,
                    "split": split,
                    "category": mail.category,
                    "case_kind": mail.case_kind,
                    "refs": json.dumps(mail.refs, sort_keys=True) if mail.refs else "",
                    "variant": mail.variant,
                }
            )
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, ["file", "split", "category", "case_kind", "refs", "variant"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build(args.out)
    print(f"messages: {len(rows)}")
    for split in ("dev", "holdout"):
        print(f"{split}: {sum(r['split'] == split for r in rows)}")


if __name__ == "__main__":
    main()
