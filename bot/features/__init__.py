"""What chief does beyond filing mail: one module per duty, each a step the sync runs.

Payments (``payments``), the booking guard (``booking_guard``), the referral network
(``referral_network``), appointment briefs and links (``appointment_brief``,
``appointment_links``), the research digest (``research_digest``), renewal checklists
(``renewal_checklist``), CME/CPD credits (``cpd``), the practitioner's notes and the reports
filled from them (``note_format``, ``case_notes``, ``note_reports``, ``report_content``), the
referrals she sends (``outbound_referrals``) and the network both ways
(``practitioner_network``).

May import: the core (``bot.mail``, ``bot.letters``, ``bot.rules``, ``bot.clocks``,
``bot.register``, ``bot.store``). Never ``bot.summary`` or ``bot.cli``.
"""
