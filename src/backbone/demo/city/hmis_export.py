"""The Continuum of Care's HUD HMIS CSV exports (FY2026), one zip per school year.

An export for school year Y holds the enrollments that began between July 1 and June 30 of
that year, their exits when they happened before the export date (October 15 after the year),
and the clients, projects and organisations they refer to. Headers are exactly the FY2026 ones
the importer (``backbone.intake.importers.hmis``) reads; ``tests/intake/hmis_files.py`` has the
same.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections.abc import Sequence

from backbone.demo.city import params as p
from backbone.demo.city.calendar import school_year
from backbone.demo.city.files import Cell, Sink, csv_bytes, zip_info
from backbone.demo.city.names import noisy_identity, noisy_ssn
from backbone.demo.city.outcomes import HMIS_ORGANIZATIONS, HMIS_PROJECTS
from backbone.demo.city.world import Episode, Person, World

PARTNER = "riverton-area-homeless-coalition"
CONTRACT = "hmis"
TRAILER = ("DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID")


def _columns(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


EXPORT_COLUMNS = _columns("""
    ExportID, SourceType, SourceID, SourceName, SourceContactFirst, SourceContactLast,
    SourceContactPhone, SourceContactExtension, SourceContactEmail, ExportDate, ExportStartDate,
    ExportEndDate, SoftwareName, SoftwareVersion, CSVVersion, ExportPeriodType, ExportDirective,
    HashStatus, ImplementationID""")
_RACES = _columns("""
    AmIndAKNative, Asian, BlackAfAmerican, HispanicLatinao, MidEastNAfrican, NativeHIPacific,
    White, RaceNone, AdditionalRaceEthnicity""")
_VETERAN = _columns("""
    VeteranStatus, YearEnteredService, YearSeparated, WorldWarII, KoreanWar, VietnamWar,
    DesertStorm, AfghanistanOEF, IraqOIF, IraqOND, OtherTheater, MilitaryBranch,
    DischargeStatus""")
_ENROLLMENT = _columns("""
    EnrollmentID, PersonalID, ProjectID, EntryDate, HouseholdID, RelationshipToHoH,
    EnrollmentCoC, LivingSituation, RentalSubsidyType, LengthOfStay, LOSUnderThreshold,
    PreviousStreetESSH, DateToStreetESSH, TimesHomelessPastThreeYears,
    MonthsHomelessPastThreeYears, DisablingCondition, DateOfEngagement, MoveInDate,
    DateOfPATHStatus, ClientEnrolledInPATH, ReasonNotEnrolled, PercentAMI, ReferralSource,
    CountOutreachReferralApproaches, DateOfBCPStatus, EligibleForRHY, ReasonNoServices,
    RunawayYouth, FormerWardChildWelfare, ChildWelfareYears, ChildWelfareMonths,
    FormerWardJuvenileJustice, JuvenileJusticeYears, JuvenileJusticeMonths, UnemploymentFam,
    MentalHealthDisorderFam, PhysicalDisabilityFam, AlcoholDrugUseDisorderFam,
    InsufficientIncome, IncarceratedParent, VAMCStation, TargetScreenReqd, TimeToHousingLoss,
    AnnualPercentAMI, LiteralHomelessHistory, ClientLeaseholder, HOHLeaseholder, SubsidyAtRisk,
    EvictionHistory, CriminalRecord, IncarceratedAdult, PrisonDischarge, SexOffender,
    DisabledHoH, CurrentPregnant, SingleParent, DependentUnder6, HH5Plus, CoCPrioritized,
    HPScreeningScore, ThresholdScore, MentalHealthConsultation""")
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
HEADERS: dict[str, tuple[str, ...]] = {
    "Export.csv": EXPORT_COLUMNS,
    "Organization.csv": (*_columns(
        "OrganizationID, OrganizationName, VictimServiceProvider, OrganizationCommonName"),
        *TRAILER),
    "Project.csv": (*_columns("""
        ProjectID, OrganizationID, ProjectName, ProjectCommonName, OperatingStartDate,
        OperatingEndDate, ContinuumProject, ProjectType, HousingType, RRHSubType,
        ResidentialAffiliation, TargetPopulation, HOPWAMedAssistedLivingFac, PITCount"""),
        *TRAILER),
    "Client.csv": (*_columns("""
        PersonalID, FirstName, MiddleName, LastName, NameSuffix, NameDataQuality, SSN,
        SSNDataQuality, DOB, DOBDataQuality"""), "Sex", *_RACES, *_VETERAN, *TRAILER),
    "Enrollment.csv": (*_ENROLLMENT, *TRAILER),
    "Exit.csv": (*_EXIT, *TRAILER),
}  # fmt: skip
_RACE_COLUMN = {
    "American Indian or Alaska Native": "AmIndAKNative", "Asian": "Asian",
    "Black or African American": "BlackAfAmerican", "Hispanic or Latino": "HispanicLatinao",
    "Native Hawaiian or Pacific Islander": "NativeHIPacific", "White": "White",
}  # fmt: skip


class HmisClients:
    """Stable PersonalIDs and the CoC's (noisy) record of each client."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: dict[str, str] = {}
        self.rows: dict[str, tuple[dict[str, str], list[str]]] = {}
        self.pool = rng.sample(range(100000, 999999), 1)  # seeds the id sequence
        self.next = self.pool[0]

    def personal_id(self, person: Person) -> str:
        if person.pid not in self.ids:
            self.next += self.rng.randint(1, 9)
            self.ids[person.pid] = str(self.next)
        return self.ids[person.pid]

    def client(self, person: Person, created: str) -> tuple[dict[str, str], list[str]]:
        if person.pid not in self.rows:
            self.rows[person.pid] = self._client(person, created)
        return self.rows[person.pid]

    def _client(self, person: Person, created: str) -> tuple[dict[str, str], list[str]]:
        first, last, birth, noise = noisy_identity(person.first, person.last, person.birth,
                                                   self.rng)  # fmt: skip
        share = p.HMIS_CHILD_SSN_SHARE if person.role == "child" else p.HMIS_ADULT_SSN_SHARE
        ssn, quality = "", "99"
        if self.rng.random() < share:
            ssn, changed = noisy_ssn(person.ssn, self.rng)
            quality = "1"
            noise += ["ssn_typo"] if changed else []
        row = {
            "PersonalID": self.personal_id(person), "FirstName": first, "LastName": last,
            "MiddleName": person.middle, "NameDataQuality": "1", "SSN": ssn,
            "SSNDataQuality": quality, "DOB": birth.isoformat() if birth else "",
            "DOBDataQuality": "1" if birth else "99",
            "Sex": "0" if person.sex == "female" else "1", "VeteranStatus": "0",
            **dict.fromkeys(("AmIndAKNative", "Asian", "BlackAfAmerican", "HispanicLatinao",
                             "MidEastNAfrican", "NativeHIPacific", "White"), "0"),
            **_race_flags(person.race), "DateCreated": created, "DateUpdated": created,
            "UserID": "U12",
        }  # fmt: skip
        return row, noise


def _race_flags(race: str) -> dict[str, str]:
    if race == "Two or more races":
        return {"White": "1", "BlackAfAmerican": "1"}
    return {_RACE_COLUMN[race]: "1"} if race in _RACE_COLUMN else {"RaceNone": "99"}


def write_hmis(world: World, sink: Sink, rng: random.Random) -> None:
    """One FY2026 export zip per school year that has enrollments."""
    clients = HmisClients(rng)
    episodes = sorted(
        (e for h in world.households for e in h.episodes), key=lambda e: (e.entry, e.household.hid)
    )
    counter = [0]
    for year in world.years:
        start, end = dt.date(year - 1, 7, 1), dt.date(year, 6, 30)
        chosen = [e for e in episodes if start <= e.entry <= end]
        if chosen:
            _export(sink, clients, chosen, school_year(year).period, (start, end), counter)


def _members(episode: Episode) -> list[Person]:
    household = episode.household
    children = [
        c for c in household.children if c.birth <= episode.entry
        and (episode.entry - c.birth).days < 18 * 365
    ]  # fmt: skip
    return [household.parent, *children] if household.parent else children


def _export(
    sink: Sink, clients: HmisClients, episodes: list[Episode], period: str,
    window: tuple[dt.date, dt.date], counter: list[int],
) -> None:  # fmt: skip
    export_date = dt.date(window[1].year, 10, 15)
    export_id = f"RACH-{period}"
    target = sink.path(PARTNER, CONTRACT, period, ".zip")
    file = sink.add(PARTNER, CONTRACT, period, target)
    people: dict[str, dict[str, str]] = {}
    enrollments: list[dict[str, str]] = []
    exits: list[dict[str, str]] = []
    for episode in episodes:
        counter[0] += 1
        household_id = f"HH{counter[0]:06d}"
        for member in _members(episode):
            created = f"{episode.entry.isoformat()} 10:00:00"
            row, noise = clients.client(member, created)
            people[row["PersonalID"]] = row
            sink.link(PARTNER, CONTRACT, file, row["PersonalID"], member.pid, noise)
            counter[0] += 1
            enrollment_id = f"EN{counter[0]:07d}"
            enrollments.append(_enrollment(enrollment_id, row["PersonalID"], episode,
                                           household_id, member, created))  # fmt: skip
            if episode.exit and episode.exit <= export_date:
                exits.append(_exit(f"EX{counter[0]:07d}", enrollment_id, row["PersonalID"],
                                   episode, created))  # fmt: skip
    tables = {
        "Export.csv": [_export_row(export_id, export_date, window)],
        "Organization.csv": [{"OrganizationID": k, "OrganizationName": v,
                              "VictimServiceProvider": "0"} for k, v in HMIS_ORGANIZATIONS.items()],
        "Project.csv": [_project(k) for k in HMIS_PROJECTS],
        "Client.csv": [people[k] for k in people],
        "Enrollment.csv": enrollments,
        "Exit.csv": exits,
    }  # fmt: skip
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            archive.writestr(zip_info(name), _csv(name, rows, export_id))


def _csv(name: str, rows: list[dict[str, str]], export_id: str) -> bytes:
    header = HEADERS[name]
    trailer = {"ExportID": export_id} if name != "Export.csv" else {}
    lines: list[Sequence[Cell]] = [
        [{**trailer, **row}.get(column, "") for column in header] for row in rows
    ]
    return csv_bytes(header, lines)


def _export_row(export_id: str, export_date: dt.date, window: tuple[dt.date, dt.date]) -> dict:
    return {
        "ExportID": export_id, "SourceType": "3", "SourceID": "XX-501",
        "SourceName": "Riverton Area Homeless Coalition HMIS",
        "ExportDate": f"{export_date.isoformat()} 08:30:00",
        "ExportStartDate": window[0].isoformat(), "ExportEndDate": window[1].isoformat(),
        "SoftwareName": "RivertonHMIS", "SoftwareVersion": "9.1", "CSVVersion": "2026 v1.0",
        "ExportPeriodType": "3", "ExportDirective": "2", "HashStatus": "1",
        "ImplementationID": "riverton-hmis",
    }  # fmt: skip


def _project(key: str) -> dict[str, str]:
    project_id, organization, project_type, name = HMIS_PROJECTS[key]
    return {
        "ProjectID": project_id, "OrganizationID": organization, "ProjectName": name,
        "OperatingStartDate": "2012-07-01", "ContinuumProject": "1",
        "ProjectType": project_type, "HousingType": "1", "RRHSubType": "2" if key == "rrh" else "",
        "TargetPopulation": "4", "DateCreated": "2012-07-01 09:00:00",
        "DateUpdated": "2012-07-01 09:00:00", "UserID": "U1",
    }  # fmt: skip


def _enrollment(
    enrollment_id: str, personal_id: str, episode: Episode, household_id: str, member: Person,
    created: str,
) -> dict[str, str]:  # fmt: skip
    head = member.role == "parent"
    return {
        "EnrollmentID": enrollment_id, "PersonalID": personal_id,
        "ProjectID": HMIS_PROJECTS[episode.project][0], "EntryDate": episode.entry.isoformat(),
        "HouseholdID": household_id, "RelationshipToHoH": "1" if head else "2",
        "EnrollmentCoC": "XX-501", "LivingSituation": "101" if episode.project != "es" else "116",
        "LengthOfStay": "4", "DisablingCondition": "0",
        "MoveInDate": episode.move_in.isoformat() if episode.move_in else "",
        "DateCreated": created, "DateUpdated": created, "UserID": "U12",
    }  # fmt: skip


def _exit(
    exit_id: str, enrollment_id: str, personal_id: str, episode: Episode, created: str
) -> dict[str, str]:
    assert episode.exit is not None
    return {
        "ExitID": exit_id, "EnrollmentID": enrollment_id, "PersonalID": personal_id,
        "ExitDate": episode.exit.isoformat(), "Destination": episode.destination or "99",
        "ProjectCompletionStatus": "1", "DateCreated": created, "DateUpdated": created,
        "UserID": "U12",
    }  # fmt: skip
