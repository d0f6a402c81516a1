"""Small, realistic HUD HMIS CSV exports, generated: there is no HMIS sample in the repository.

``write_hmis_export`` writes the six files the importer needs with the exact FY2026 or FY2024
headers (standards §2.3; the columns standards.md elides follow the HUD CSV specifications).
Every file but Export.csv ends in the trailer ``DateCreated, DateUpdated, UserID, DateDeleted,
ExportID``; Export.csv has no trailer in the HUD format. ``sample_rows`` is the default content:
five clients (one soft-deleted), five enrollments (one soft-deleted), three exits (one
soft-deleted), two projects of two organisations.

Broken variants are made after writing, on the files themselves: ``drop_column``,
``rename_column``, ``set_cell``, ``duplicate_row``. They address rows by record number with the
header as 1, which is the line number as long as no field holds a line break.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

VERSIONS = ("2024", "2026")
CSV_VERSION = {"2024": "2024 v1.2", "2026": "2026 v1.0"}
TRAILER = ("DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID")


def _columns(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


_EXPORT = _columns("""
    ExportID, SourceType, SourceID, SourceName, SourceContactFirst, SourceContactLast,
    SourceContactPhone, SourceContactExtension, SourceContactEmail, ExportDate, ExportStartDate,
    ExportEndDate, SoftwareName, SoftwareVersion, CSVVersion, ExportPeriodType, ExportDirective,
    HashStatus, ImplementationID""")
_ORGANIZATION = _columns(
    "OrganizationID, OrganizationName, VictimServiceProvider, OrganizationCommonName"
)
_PROJECT = _columns("""
    ProjectID, OrganizationID, ProjectName, ProjectCommonName, OperatingStartDate,
    OperatingEndDate, ContinuumProject, ProjectType, HousingType, RRHSubType,
    ResidentialAffiliation, TargetPopulation, HOPWAMedAssistedLivingFac, PITCount""")
_NAMES = _columns("""
    PersonalID, FirstName, MiddleName, LastName, NameSuffix, NameDataQuality, SSN,
    SSNDataQuality, DOB, DOBDataQuality""")
_RACES_2026 = _columns("""
    AmIndAKNative, Asian, BlackAfAmerican, HispanicLatinao, MidEastNAfrican, NativeHIPacific,
    White, RaceNone, AdditionalRaceEthnicity""")
_RACES_2024 = tuple("HispanicLatinaeo" if c == "HispanicLatinao" else c for c in _RACES_2026)
_GENDERS_2024 = _columns("""
    Woman, Man, NonBinary, CulturallySpecific, Transgender, Questioning, DifferentIdentity,
    GenderNone, DifferentIdentityText""")
_VETERAN = _columns("""
    VeteranStatus, YearEnteredService, YearSeparated, WorldWarII, KoreanWar, VietnamWar,
    DesertStorm, AfghanistanOEF, IraqOIF, IraqOND, OtherTheater, MilitaryBranch,
    DischargeStatus""")
_ENROLLMENT_HEAD = _columns("""
    EnrollmentID, PersonalID, ProjectID, EntryDate, HouseholdID, RelationshipToHoH,
    EnrollmentCoC, LivingSituation, RentalSubsidyType, LengthOfStay, LOSUnderThreshold,
    PreviousStreetESSH, DateToStreetESSH, TimesHomelessPastThreeYears,
    MonthsHomelessPastThreeYears, DisablingCondition, DateOfEngagement, MoveInDate,
    DateOfPATHStatus, ClientEnrolledInPATH, ReasonNotEnrolled, PercentAMI, ReferralSource,
    CountOutreachReferralApproaches, DateOfBCPStatus, EligibleForRHY, ReasonNoServices,
    RunawayYouth""")
_ENROLLMENT_RHY = _columns("""
    FormerWardChildWelfare, ChildWelfareYears, ChildWelfareMonths, FormerWardJuvenileJustice,
    JuvenileJusticeYears, JuvenileJusticeMonths, UnemploymentFam, MentalHealthDisorderFam,
    PhysicalDisabilityFam, AlcoholDrugUseDisorderFam, InsufficientIncome, IncarceratedParent,
    VAMCStation, TargetScreenReqd, TimeToHousingLoss, AnnualPercentAMI, LiteralHomelessHistory,
    ClientLeaseholder, HOHLeaseholder, SubsidyAtRisk, EvictionHistory, CriminalRecord,
    IncarceratedAdult, PrisonDischarge, SexOffender, DisabledHoH, CurrentPregnant, SingleParent,
    DependentUnder6, HH5Plus, CoCPrioritized, HPScreeningScore, ThresholdScore""")
_EXIT = _columns("""
    ExitID, EnrollmentID, PersonalID, ExitDate, Destination, DestinationSubsidyType,
    OtherDestination, HousingAssessment, SubsidyInformation, ProjectCompletionStatus,
    EarlyExitReason, ExchangeForSex, ExchangeForSexPastThreeMonths, CountOfExchangeForSex,
    AskedOrForcedToExchangeForSex, AskedOrForcedToExchangeForSexPastThreeMonths,
    WorkPlaceViolenceThreats, WorkplacePromiseDifference, CoercedToContinueWork,
    LaborExploitPastThreeMonths, CounselingReceived, IndividualCounseling, FamilyCounseling,
    GroupCounseling, SessionCountAtExit, PostExitCounselingPlan, SessionsInPlan,
    DestinationSafeClient, DestinationSafeWorker, PosAdultConnections, PosPeerConnections,
    PosCommunityConnections, AftercareDate, AftercareProvided, EmailSocialMedia, Telephone,
    InPersonIndividual, InPersonGroup, CMExitReason""")
_ENROLLMENT_2024_ONLY = ("SexualOrientation", "SexualOrientationOther")
_LANGUAGE_2024_ONLY = ("TranslationNeeded", "PreferredLanguage", "PreferredLanguageDifferent")

# FY2026 dropped gender (3.06) for Sex (4.21), relabelled the Hispanic column, moved sexual
# orientation and language out of Enrollment.csv and added MentalHealthConsultation.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "2026": {
        "Export.csv": _EXPORT,
        "Organization.csv": (*_ORGANIZATION, *TRAILER),
        "Project.csv": (*_PROJECT, *TRAILER),
        "Client.csv": (*_NAMES, "Sex", *_RACES_2026, *_VETERAN, *TRAILER),
        "Enrollment.csv": (
            *_ENROLLMENT_HEAD, *_ENROLLMENT_RHY, "MentalHealthConsultation", *TRAILER
        ),
        "Exit.csv": (*_EXIT, *TRAILER),
    },
    "2024": {
        "Export.csv": _EXPORT,
        "Organization.csv": (*_ORGANIZATION, *TRAILER),
        "Project.csv": (*_PROJECT, *TRAILER),
        "Client.csv": (*_NAMES, *_RACES_2024, *_GENDERS_2024, *_VETERAN, *TRAILER),
        "Enrollment.csv": (
            *_ENROLLMENT_HEAD, *_ENROLLMENT_2024_ONLY, *_ENROLLMENT_RHY, *_LANGUAGE_2024_ONLY,
            *TRAILER,
        ),
        "Exit.csv": (*_EXIT, *TRAILER),
    },
}  # fmt: skip
FILES = tuple(HEADERS["2026"])

# Values every row of a file gets unless it says otherwise: what a real export holds there.
_FILLER: dict[str, dict[str, str]] = {
    "Organization.csv": {"VictimServiceProvider": "0"},
    "Project.csv": {
        "OperatingStartDate": "2015-07-01", "ContinuumProject": "1", "HousingType": "1",
    },
    "Client.csv": {
        "NameDataQuality": "1", "VeteranStatus": "0",
        **dict.fromkeys(("AmIndAKNative", "Asian", "BlackAfAmerican", "HispanicLatinao",
                         "HispanicLatinaeo", "MidEastNAfrican", "NativeHIPacific", "White"), "0"),
        **dict.fromkeys(_GENDERS_2024[:7], "0"),
    },
    "Enrollment.csv": {
        "EnrollmentCoC": "XX-501", "LivingSituation": "116", "LengthOfStay": "4",
        "DisablingCondition": "0",
    },
    "Exit.csv": {"ProjectCompletionStatus": "1"},
}  # fmt: skip
_VERSION_ONLY = {"Sex": "2026", **dict.fromkeys(_GENDERS_2024, "2024")}


def header(version: str, file: str) -> list[str]:
    """The exact header of ``file`` in HMIS CSV ``version`` ("2024" or "2026")."""
    return list(HEADERS[version][file])


def sample_rows(version: str = "2026") -> dict[str, list[dict[str, str]]]:
    """The default export's content, file → rows (only the columns that matter here)."""
    return {
        "Export.csv": [_export_row(version)],
        "Organization.csv": [
            {"OrganizationID": "ORG1", "OrganizationName": "Harbor House Services"},
            {"OrganizationID": "ORG2", "OrganizationName": "Eastside Family Shelter"},
        ],
        "Project.csv": [
            {"ProjectID": "PRJ1", "OrganizationID": "ORG1", "ProjectType": "0",
             "ProjectName": "Harbor House Emergency Shelter"},
            {"ProjectID": "PRJ2", "OrganizationID": "ORG2", "ProjectType": "13",
             "ProjectName": "Eastside Rapid Rehousing", "RRHSubType": "2"},
        ],
        "Client.csv": _sample_clients(),
        "Enrollment.csv": _sample_enrollments(),
        "Exit.csv": [
            _exit("X1", "E1", "C1", "2024-03-01", "435"),
            _exit("X2", "E5", "C3", "2024-09-30", "116"),
            _exit("X3", "E4", "C3", "2024-05-06", "17", DateDeleted="2024-05-06 09:00:00"),
        ],
    }  # fmt: skip


def _export_row(version: str) -> dict[str, str]:
    return {
        "ExportID": "EXP1", "SourceType": "3", "SourceID": "XX-501",
        "SourceName": "Riverton CoC HMIS", "ExportDate": "2025-10-15 08:30:00",
        "ExportStartDate": "2023-10-01", "ExportEndDate": "2025-09-30", "SoftwareName": "TestHMIS",
        "SoftwareVersion": "9.1", "CSVVersion": CSV_VERSION[version], "ExportPeriodType": "3",
        "ExportDirective": "2", "HashStatus": "1", "ImplementationID": "riverton-hmis",
    }  # fmt: skip


def _sample_clients() -> list[dict[str, str]]:
    """C1 Hispanic (and White), C2 Black and White, C3 Asian, C4 no race (RaceNone 8),
    C5 soft-deleted. FY2024 files get the gender columns, FY2026 files Sex."""
    return [
        _client("C1", "Maria", "Lopez", "1988-04-12", "123456789", Sex="0", Woman="1",
                MiddleName="Elena", HispanicLatinao="1", White="1"),
        _client("C2", "James", "Carter", "1979-11-30", "987654321", Sex="1", Man="1",
                NameSuffix="Jr", BlackAfAmerican="1", White="1"),
        _client("C3", "Linh", "Nguyen", "2001-07-04", "", Sex="0", Woman="1", Asian="1",
                SSNDataQuality="99", DOBDataQuality="2"),
        _client("C4", "", "", "", "", Sex="99", GenderNone="8", RaceNone="8",
                NameDataQuality="9", SSNDataQuality="99", DOBDataQuality="99"),
        _client("C5", "Robert", "Smith", "1990-01-01", "111223333", Sex="1", Man="1", White="1",
                DateDeleted="2025-01-05 12:00:00"),
    ]  # fmt: skip


def _client(personal_id: str, first: str, last: str, dob: str, ssn: str, **more: str) -> dict:
    row = {"PersonalID": personal_id, "FirstName": first, "LastName": last, "DOB": dob}
    return {**row, "SSN": ssn, "SSNDataQuality": "1", "DOBDataQuality": "1", **more}


def _sample_enrollments() -> list[dict[str, str]]:
    """E1 exited, E2 and E3 one household (C2 its head, C4 a child) moved in, E4 soft-deleted,
    E5 exited to the street."""
    return [
        _enrollment("E1", "C1", "PRJ1", "2024-01-10", "H1", "1"),
        _enrollment("E2", "C2", "PRJ2", "2024-02-01", "H2", "1", MoveInDate="2024-02-20"),
        _enrollment("E3", "C4", "PRJ2", "2024-02-01", "H2", "2", MoveInDate="2024-02-20"),
        _enrollment("E4", "C3", "PRJ1", "2024-05-05", "H3", "1",
                    DateDeleted="2024-05-06 09:00:00"),
        _enrollment("E5", "C3", "PRJ2", "2024-07-01", "H4", "1"),
    ]  # fmt: skip


def _enrollment(
    enrollment_id: str,
    personal_id: str,
    project_id: str,
    entry: str,
    household: str,
    relationship: str,
    **more: str,
) -> dict[str, str]:
    return {
        "EnrollmentID": enrollment_id, "PersonalID": personal_id, "ProjectID": project_id,
        "EntryDate": entry, "HouseholdID": household, "RelationshipToHoH": relationship, **more,
    }  # fmt: skip


def _exit(exit_id: str, enrollment_id: str, personal_id: str, date: str, destination: str,
          **more: str) -> dict[str, str]:  # fmt: skip
    return {
        "ExitID": exit_id, "EnrollmentID": enrollment_id, "PersonalID": personal_id,
        "ExitDate": date, "Destination": destination, **more,
    }  # fmt: skip


def write_hmis_export(
    directory: Path,
    version: str = "2026",
    *,
    clients: list[dict[str, str]] | None = None,
    enrollments: list[dict[str, str]] | None = None,
    exits: list[dict[str, str]] | None = None,
    projects: list[dict[str, str]] | None = None,
    organizations: list[dict[str, str]] | None = None,
    export: dict[str, str] | None = None,
) -> Path:
    """Write the six files of an HMIS CSV export of ``version`` into ``directory``.

    Args:
        directory: where to write (created if needed).
        version: "2026" or "2024": picks the headers and Export.csv's CSVVersion.
        clients, enrollments, exits, projects, organizations: rows (HMIS column → text) that
            replace the sample's; unnamed columns get the usual filler or stay empty.
            ``HispanicLatinao`` and ``HispanicLatinaeo`` are interchangeable; columns of the
            other version (``Sex``, the FY2024 gender columns) are left out.
        export: values that override the sample's Export.csv row.

    Returns:
        ``directory``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    content = sample_rows(version)
    given = {"Client.csv": clients, "Enrollment.csv": enrollments, "Exit.csv": exits,
             "Project.csv": projects, "Organization.csv": organizations}  # fmt: skip
    content.update({file: rows for file, rows in given.items() if rows is not None})
    content["Export.csv"] = [{**content["Export.csv"][0], **(export or {})}]
    export_id = content["Export.csv"][0]["ExportID"]
    for file, rows in content.items():
        lines = [_full_row(version, file, row, export_id) for row in rows]
        write_csv(directory / file, header(version, file), lines)
    return directory


def _full_row(version: str, file: str, row: dict[str, str], export_id: str) -> list[str]:
    columns = header(version, file)
    values = {**_FILLER.get(file, {}), **_trailer(export_id)} if file != "Export.csv" else {}
    for column, value in row.items():
        if _VERSION_ONLY.get(column, version) != version:
            continue
        column = _spelling(column, columns)
        if column not in columns:
            raise KeyError(f"{file} (FY{version}) has no column {column!r}")
        values[column] = value
    return [values.get(column, "") for column in columns]


def _spelling(column: str, columns: list[str]) -> str:
    hispanic = ("HispanicLatinao", "HispanicLatinaeo")
    if column in hispanic:
        return next(c for c in hispanic if c in columns)
    return column


def _trailer(export_id: str) -> dict[str, str]:
    created = "2024-01-02 09:15:00"
    return {"DateCreated": created, "DateUpdated": created, "UserID": "U7", "ExportID": export_id}


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    """Write a CSV the way HMIS exports are: UTF-8, CRLF line ends, quoted only when needed."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)


def read_csv(path: Path) -> list[list[str]]:
    """All records of a CSV, header first."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def drop_column(path: Path, column: str) -> None:
    """Remove ``column`` from the CSV at ``path``."""
    records = read_csv(path)
    index = records[0].index(column)
    write_csv(path, records[0][:index] + records[0][index + 1 :], [
        r[:index] + r[index + 1 :] for r in records[1:]
    ])  # fmt: skip


def rename_column(path: Path, column: str, new_name: str) -> None:
    """Rename ``column`` of the CSV at ``path`` to ``new_name``."""
    records = read_csv(path)
    records[0][records[0].index(column)] = new_name
    write_csv(path, records[0], records[1:])


def set_cell(path: Path, record: int, column: str, value: str) -> None:
    """Put ``value`` in ``column`` of record number ``record`` (the header is 1)."""
    records = read_csv(path)
    records[record - 1][records[0].index(column)] = value
    write_csv(path, records[0], records[1:])


def duplicate_row(path: Path, record: int) -> None:
    """Append a copy of record number ``record`` (the header is 1) at the end of the file."""
    records = read_csv(path)
    write_csv(path, records[0], [*records[1:], records[record - 1]])


def zip_export(directory: Path, target: Path, folder: str = "") -> Path:
    """Zip the files of ``directory`` into ``target``, inside ``folder`` when one is given.

    Returns:
        ``target``.
    """
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in directory.iterdir() if p.is_file()):
            archive.write(path, f"{folder}/{path.name}" if folder else path.name)
    return target
