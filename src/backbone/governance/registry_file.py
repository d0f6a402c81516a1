"""The ``partnership.yaml`` format: the whole registry as one reviewable file.

``parse_registry`` validates a file completely before anything is written and raises
``RegistryFileError`` listing every problem with its line and field; ``dump_registry`` writes the
canonical form, so export → import → export gives the same bytes. The format is documented in
``docs/partnership.md``.

>>> registry = parse_registry("partnership: {name: Riverton Cradle to Career}\\n")
>>> registry.partnership.name
'Riverton Cradle to Career'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from backbone.governance import coverage, dsa
from backbone.partnership import vocabulary as vocab

FORMAT = "backbone.partnership/1"
Loc = tuple[str | int, ...]


# --- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a registry file: where it is and what is wrong."""

    line: int | None
    field: str
    message: str

    def describe(self, filename: str = "partnership.yaml") -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.field or '(file)'}: {self.message}"


class RegistryFileError(ValueError):
    """A registry file that cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem], filename: str = "partnership.yaml"):
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field))
        self.filename = filename
        lines = "\n".join(p.describe(filename) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {filename}:\n{lines}")


def field_path(loc: Loc) -> str:
    """``("bodies", 2, "members", 0, "person")`` → ``"bodies[2].members[0].person"``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


# --- vocabulary-checked fields --------------------------------------------------------------


def in_vocabulary(vocabulary: vocab.Vocabulary, what: str) -> Callable[[str], str]:
    known = vocab.codes(vocabulary)

    def check(value: str) -> str:
        if value not in known:
            raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(known)}")
        return value

    return check


Sector = Annotated[str, AfterValidator(in_vocabulary(vocab.SECTORS, "sector"))]
PartnerType = Annotated[str, AfterValidator(in_vocabulary(vocab.PARTNER_TYPES, "partner type"))]
BodyKind = Annotated[str, AfterValidator(in_vocabulary(vocab.BODY_KINDS, "body kind"))]
MemberRole = Annotated[
    str, AfterValidator(in_vocabulary(vocab.MEMBERSHIP_ROLES, "membership role"))
]
PartnershipRole = Annotated[
    str, AfterValidator(in_vocabulary(vocab.PARTNERSHIP_ROLES, "partnership role"))
]
AgreementKind = Annotated[
    str, AfterValidator(in_vocabulary(vocab.AGREEMENT_KINDS, "agreement kind"))
]
AgreementStatus = Annotated[
    str, AfterValidator(in_vocabulary(vocab.AGREEMENT_STATUSES, "agreement status"))
]
LegalBasis = Annotated[str, AfterValidator(in_vocabulary(vocab.LEGAL_BASES, "legal basis"))]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]


# --- the file's shape -----------------------------------------------------------------------


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Dated(Entry):
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def end_not_before_start(self) -> Dated:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class PartnershipInfo(Entry):
    name: str = Field(min_length=1, max_length=200)
    place: str = ""
    description: str = ""
    # Dollars per hour; the living-wage indicators compare quarterly wages with 13 weeks of it.
    living_wage_hourly: float | None = Field(default=None, gt=0, lt=10000)


class SectorGoal(Entry):
    slug: Slug
    sector: Sector
    statement: str = Field(min_length=1)


class SharedOutcome(Entry):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    statement: str = ""
    sector_goals: list[Slug] = []


class Contact(Entry):
    name: str = ""
    email: str = ""
    phone: str = ""


class Partner(Entry):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    type: PartnerType
    sectors: list[Sector] = Field(min_length=1)
    description: str = ""
    website: str = ""
    contact: Contact = Contact()


class Person(Entry):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    partner: Slug | None = None
    email: str = ""
    phone: str = ""


class Membership(Dated):
    person: Slug
    role: MemberRole = "member"
    representing: Slug | None = None


class Body(Entry):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: BodyKind
    purpose: str = ""
    outcomes: list[Slug] = []
    meeting_cadence: str = ""
    reports_to: Slug | None = None
    members: list[Membership] = []


class RoleAssignment(Dated):
    role: PartnershipRole
    person: Slug | None = None
    partner: Slug | None = None
    notes: str = ""

    @model_validator(mode="after")
    def person_or_partner(self) -> RoleAssignment:
        if not self.person and not self.partner:
            raise ValueError("a role is assigned to a person, a partner, or both; neither is given")
        return self


class AgreementParty(Entry):
    partner: Slug
    roles: str = ""
    commitments: str = ""


class DataElement(Entry):
    """A contract the discloser may send, and which of its fields (none listed: all)."""

    contract: str
    fields: list[str] = []

    @model_validator(mode="after")
    def known_contract_and_fields(self) -> DataElement:
        problems = coverage.element_problems(self.contract, self.fields)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Destruction(Entry):
    deadline: dt.date | None = None
    method: str = ""
    certified_at: dt.date | None = None


class Redisclosure(Entry):
    allowed: bool = False
    conditions: str = ""


class Publication(Entry):
    min_n: int | None = Field(
        default=None, ge=vocab.PUBLICATION_MIN_N_RANGE[0], le=vocab.PUBLICATION_MIN_N_RANGE[1]
    )
    top_code_percent: float | None = Field(default=None, ge=0.1, le=50)
    bottom_code_percent: float | None = Field(default=None, ge=0.1, le=50)


class Agreement(Dated):
    slug: Slug
    title: str = Field(min_length=1, max_length=200)
    kind: AgreementKind = "mou"
    status: AgreementStatus = "draft"
    aims: str = ""
    signed_on: dt.date | None = None
    document: str = ""
    # The terms of a data-sharing agreement (docs/agreements.md); an MOU leaves them out.
    legal_basis: LegalBasis | None = None
    discloser: Slug | None = None
    purpose_code: Slug | None = None
    purpose: str = ""
    population: str = ""
    needs_consent: bool = False
    data_elements: list[DataElement] = []
    destruction: Destruction = Destruction()
    security_requirements: str = ""
    redisclosure: Redisclosure = Redisclosure()
    publication: Publication = Publication()
    parties: list[AgreementParty] = Field(min_length=1)

    @model_validator(mode="after")
    def complete_terms(self) -> Agreement:
        problems = dsa.term_problems(
            self.kind, self.status, self.discloser, self.legal_basis, self.end,
            self.destruction.deadline,
        )  # fmt: skip
        if self.discloser and self.discloser not in {p.partner for p in self.parties}:
            problems["discloser"] = f"the discloser {self.discloser!r} is not one of the parties"
        contracts = [e.contract for e in self.data_elements]
        if len(contracts) != len(set(contracts)):
            problems["data_elements"] = "a contract is listed twice"
        if problems:
            raise ValueError("; ".join(problems.values()))
        return self


class RegistryFile(Entry):
    """The whole registry, as it appears in ``partnership.yaml``."""

    format: str = FORMAT
    partnership: PartnershipInfo
    sector_goals: list[SectorGoal] = []
    shared_outcomes: list[SharedOutcome] = []
    partners: list[Partner] = []
    people: list[Person] = []
    bodies: list[Body] = []
    roles: list[RoleAssignment] = []
    agreements: list[Agreement] = []

    @model_validator(mode="after")
    def known_format(self) -> RegistryFile:
        if self.format != FORMAT:
            raise ValueError(f"format {self.format!r} is not {FORMAT!r}")
        return self


# --- reading --------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text so a bad date is a field error, not a crash."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def parse_registry(
    text: str, filename: str = "partnership.yaml", base_dir: Path | None = None
) -> RegistryFile:
    """Validate ``text`` as a registry file and return it, or raise ``RegistryFileError``.

    With ``base_dir``, each agreement's ``document`` must name a file under that directory.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise RegistryFileError(
            [Problem(line, "", f"not valid YAML: {error.problem}")], filename
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise RegistryFileError([Problem(1, "", "expected a mapping with a 'partnership' key")])

    problems = schema_problems(RegistryFile, data, root, show_input=True)
    problems += [
        Problem(line_of(root, loc), field_path(loc), message)
        for loc, message in reference_problems(data, base_dir)
    ]
    if problems:
        raise RegistryFileError(problems, filename)
    return RegistryFile.model_validate(data)


def schema_problems(
    model: type[BaseModel],
    data: dict[str, Any],
    root: yaml.Node | None,
    *,
    show_input: bool = False,
) -> list[Problem]:
    """Every way raw ``data`` fails ``model``, each named with its line in ``root`` and its field.

    The YAML readers (registry, programs, workforce) share it so that a problem reads the same
    in every file. With ``show_input``, a wrongly typed value is echoed after the message.

    >>> class Cake(Entry):
    ...     layers: int
    >>> root = yaml.compose("layers: [2]\\nicing: yes\\n")
    >>> for problem in schema_problems(Cake, {"layers": [2], "icing": True}, root, show_input=True):
    ...     print(problem.describe("cake.yaml"))
    cake.yaml:1: layers: Input should be a valid integer (got [2])
    cake.yaml:2: icing: unknown field
    """
    try:
        model.model_validate(data)
    except ValidationError as error:
        return [_problem(item, root, show_input) for item in error.errors(include_url=False)]
    return []


def _problem(item: Any, root: yaml.Node | None, show_input: bool) -> Problem:
    # An Annotated validator adds a "function-after[...]" step to the location; it is no field.
    loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
    message = str(item["msg"]).removeprefix("Value error, ")
    if show_input and item["type"] not in {"value_error", "missing", "extra_forbidden"}:
        message += f" (got {item['input']!r})"
    if item["type"] == "extra_forbidden":
        message = "unknown field"
    return Problem(line_of(root, loc), field_path(loc), message)


def line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the value at ``loc``, or of its nearest existing parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                # A key with an empty value points at the key's line, not the next one.
                return key if value.tag.endswith(":null") else value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


# --- references between entries -------------------------------------------------------------


def _items(data: dict[str, Any], section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    entries = data.get(section)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                yield index, entry


def _slugs(data: dict[str, Any], section: str) -> set[Any]:
    return {entry.get("slug") for _, entry in _items(data, section)}


def reference_problems(data: dict[str, Any], base_dir: Path | None = None) -> list[tuple[Loc, str]]:
    """Every duplicate slug, dangling reference and missing document in raw registry ``data``."""
    problems = _duplicate_slugs(data)
    known = {
        "partner": _slugs(data, "partners"),
        "person": _slugs(data, "people"),
        "body": _slugs(data, "bodies"),
        "shared outcome": _slugs(data, "shared_outcomes"),
        "sector goal": _slugs(data, "sector_goals"),
    }

    def check(loc: Loc, value: Any, kind: str) -> None:
        if value is not None and isinstance(value, str) and value not in known[kind]:
            problems.append((loc, f"no {kind} with slug {value!r} in this file"))

    for i, person in _items(data, "people"):
        check(("people", i, "partner"), person.get("partner"), "partner")
    for i, outcome in _items(data, "shared_outcomes"):
        for j, goal in enumerate(_list(outcome.get("sector_goals"))):
            check(("shared_outcomes", i, "sector_goals", j), goal, "sector goal")
    for i, body in _items(data, "bodies"):
        check(("bodies", i, "reports_to"), body.get("reports_to"), "body")
        for j, outcome in enumerate(_list(body.get("outcomes"))):
            check(("bodies", i, "outcomes", j), outcome, "shared outcome")
        for j, member in enumerate(_list(body.get("members"))):
            if isinstance(member, dict):
                check(("bodies", i, "members", j, "person"), member.get("person"), "person")
                check(
                    ("bodies", i, "members", j, "representing"),
                    member.get("representing"),
                    "partner",
                )
    for i, role in _items(data, "roles"):
        check(("roles", i, "person"), role.get("person"), "person")
        check(("roles", i, "partner"), role.get("partner"), "partner")
    for i, agreement in _items(data, "agreements"):
        check(("agreements", i, "discloser"), agreement.get("discloser"), "partner")
        for j, party in enumerate(_list(agreement.get("parties"))):
            if isinstance(party, dict):
                check(("agreements", i, "parties", j, "partner"), party.get("partner"), "partner")
        document = agreement.get("document")
        if base_dir is not None and isinstance(document, str) and document:
            problems += _document_problems(("agreements", i, "document"), document, base_dir)
    return problems


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _duplicate_slugs(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for section in (
        "partners",
        "people",
        "bodies",
        "shared_outcomes",
        "sector_goals",
        "agreements",
    ):
        seen: set[Any] = set()
        for i, entry in _items(data, section):
            slug = entry.get("slug")
            if slug in seen:
                problems.append(((section, i, "slug"), f"slug {slug!r} is used twice in {section}"))
            seen.add(slug)
    return problems


def _document_problems(loc: Loc, document: str, base_dir: Path) -> list[tuple[Loc, str]]:
    path = (base_dir / document).resolve()
    if not path.is_relative_to(base_dir.resolve()):
        return [(loc, f"document {document!r} is outside the file's folder")]
    if not path.is_file():
        return [(loc, f"document {document!r} not found next to the file")]
    return []


# --- writing --------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as literal blocks, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_registry(registry: RegistryFile) -> str:
    """The canonical YAML text of ``registry``: empty optional values left out, keys in order."""
    data = registry.model_dump(mode="python", exclude_defaults=True)
    data = {"format": FORMAT, **data}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
