"""The partnership's controlled vocabularies, shared by the models, the YAML format and the docs.

Each vocabulary is an ordered tuple of ``(code, label)`` pairs; codes are what files and the
database store, labels are what people read. Sources: the Stage 4 guidance on partnership roles
and structure (leadership table, steering committee, advisory council, operations council, data
teams) and the collective-impact literature on backbone roles.
"""

from __future__ import annotations

Vocabulary = tuple[tuple[str, str], ...]

SECTORS: Vocabulary = (
    ("education", "Education"),
    ("early_childhood", "Early childhood"),
    ("housing", "Housing"),
    ("homelessness", "Homelessness"),
    ("workforce", "Workforce"),
    ("health", "Health"),
    ("human_services", "Human services"),
    ("employer", "Employer / business"),
    ("philanthropy", "Philanthropy"),
    ("government", "Government"),
    ("community", "Community"),
)

PARTNER_TYPES: Vocabulary = (
    ("backbone", "Backbone organization"),
    ("school_district", "School district"),
    ("community_organization", "Community-based organization"),
    ("housing_authority", "Housing authority"),
    ("homeless_service_provider", "Homeless service provider"),
    ("college", "College"),
    ("workforce_board", "Workforce board"),
    ("employer", "Employer"),
    ("funder", "Funder"),
    ("public_agency", "Public agency"),
    ("national_network", "National network"),
)

BODY_KINDS: Vocabulary = (
    ("leadership_table", "Leadership table / board"),
    ("steering_committee", "Steering committee"),
    ("advisory_council", "Advisory council"),
    ("operations_council", "Operations council"),
    ("data_team", "Data team"),
    ("action_network", "Collaborative action network"),
    ("working_group", "Working group"),
)

MEMBERSHIP_ROLES: Vocabulary = (
    ("chair", "Chair"),
    ("member", "Member"),
    ("staff", "Staff"),
)

PARTNERSHIP_ROLES: Vocabulary = (
    ("lead_coordinator", "Lead / coordinator"),
    ("community_outreach_liaison", "Community outreach liaison"),
    ("data_measurement_director", "Data and measurement director"),
    ("project_manager", "Project manager"),
    ("technical_assistance_provider", "Technical assistance provider"),
    ("communications_director", "Communications director"),
    ("fundraiser", "Fundraiser"),
)

AGREEMENT_KINDS: Vocabulary = (
    ("mou", "Memorandum of understanding"),
    ("dsa", "Data-sharing agreement"),
)

# The lifecycle: draft → under review → signed (active) → ended → data destroyed. ``expired`` is
# kept for agreements recorded before the lifecycle existed; it means the same as ``ended``.
AGREEMENT_STATUSES: Vocabulary = (
    ("draft", "Draft"),
    ("under_review", "Under review"),
    ("signed", "Signed"),
    ("ended", "Ended"),
    ("expired", "Expired"),
    ("destroyed", "Data destroyed"),
)

# The legal basis a data-sharing agreement discloses under (standards.md §5.4; docs/agreements.md
# gives the regulation behind each).
LEGAL_BASES: Vocabulary = (
    ("consent", "FERPA written consent"),
    ("studies", "FERPA studies exception"),
    ("audit_evaluation", "FERPA audit or evaluation exception"),
    ("school_official", "FERPA school official exception"),
    ("directory", "FERPA directory information"),
    ("de_identified", "De-identified data"),
    ("hipaa_baa", "HIPAA business associate agreement"),
    ("part2_consent", "42 CFR Part 2 patient consent"),
    ("hmis_privacy_notice", "HMIS privacy notice"),
    ("ui_20cfr603", "UI confidentiality, 20 CFR 603"),
)

# Publication rules a data-sharing agreement may set: a minimum cell size within these bounds.
PUBLICATION_MIN_N_RANGE = (3, 30)

# An MOU whose term ends within this many days is flagged on the home page and in `status`.
EXPIRY_WARNING_DAYS = 90


def codes(vocabulary: Vocabulary) -> tuple[str, ...]:
    """The codes of a vocabulary, in order: ``codes(MEMBERSHIP_ROLES)[0] == "chair"``."""
    return tuple(code for code, _ in vocabulary)


def label(vocabulary: Vocabulary, code: str) -> str:
    """The label for ``code``, or the code itself when it is not in the vocabulary."""
    return dict(vocabulary).get(code, code)
