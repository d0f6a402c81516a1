"""Riverton: a deterministic synthetic city, written in each partner's real file format.

``generate_city(out_dir, students=20_000, seed=7, years=6, first_school_year=2021)`` simulates
a fictional city over ``years`` school years (school_year = spring year) and writes, under
``out_dir/<partner>/<contract>/<period>.<ext>``:

* ``riverton-public-schools`` / ``edfi``: one zip per school year of Ed-Fi DS 5.2 interchanges
  modelled on Ed-Fi's Grand Bend sample (``edfi_files``): EducationOrganization (LEA and 20
  schools), EducationOrgCalendar (Sessions, Calendars, instructional CalendarDates), Student,
  StudentEnrollment (StudentSchoolAssociation, StudentEducationOrganizationAssociation with
  sex, HispanicLatinoEthnicity, races, LimitedEnglishProficiency, disability and the
  "Economic Disadvantaged"/"Homeless" characteristics), StudentSchoolAttendance (exception
  events only: Excused/Unexcused Absence and Tardy), AssessmentMetadata and StudentAssessment
  (grade 3 and 8 ELA and math, scale score, performance level, cut scores) and StudentProgram.
  Zipped because attendance exceptions alone are about a million events at 20,000 students.
  Also per school year, period ``2021-10``: the fall kindergarten entry assessment
  (``kindergarten``), a zip of AssessmentMetadata and StudentAssessment only (KRA-style
  composite score, three readiness levels); ``manifest.column_mappings`` holds the crosswalk
  that reads "Demonstrating Readiness" as proficient.
* ``riverton-public-schools`` / ``graduation``: one CSV per complete graduation cohort
  (``graduation``; period = cohort year): local_id, names, birth date, cohort_year, status
  (regular diploma, dropout, transferred out, unknown) and diploma_date.
* ``riverton-area-homeless-coalition`` / ``hmis``: one HMIS CSV FY2026 export zip per school
  year (``hmis_export``): families with children in emergency shelter, rapid re-housing, PSH.
* ``three-rivers-workforce-board`` / ``ui_wages``: ``ssn,first_name,last_name,employer_id,year,
  quarter,wages``, one
  CSV per quarter ("2025-Q2"); / ``training``: one CSV per programme year.
* CBO rosters (``program_participation``), per school year: ``bright-futures-tutoring`` (CSV),
  ``riverton-mentoring-alliance`` (XLSX), ``eastside-youth-center`` (its own column names, local
  sex/race/service labels, US dates: ``manifest.column_mappings`` holds what it needs) and
  ``summer-bridge-riverton`` (CSV; birth dates missing twice as often).
* ``riverton-community-college`` / ``postsecondary`` and ``st-brigid-health`` /
  ``employer_event`` (interviews, offers, hires), one CSV per academic/programme year.

and ``out_dir/truth/``: ``persons.csv`` (partner, contract, file, local_id → person_id, and the
noise applied to that record), ``people.csv`` (every true person and attribute),
``student_years.csv`` (enrolment, days enrolled and absent, expected absences, programmes,
shelter, scores), ``training.csv``, ``kindergarten_readiness.csv``, ``graduation_cohorts.csv``
and ``effects.json``; plus ``manifest.json``.

Model (all parameters are named constants in ``params``)
    Households arrive with 1-4 children (siblings 1-5 years apart, so younger ones start
    kindergarten later) in six neighbourhoods whose race/ethnicity mix, share economically
    disadvantaged, school effect and homelessness risk differ (``NEIGHBOURHOODS``). Children
    attend their neighbourhood's elementary (K-5), middle (6-8) and high (9-12) school, move
    up a grade a year, and leave by graduating, dropping out (per-child graduation chance from
    ability, engagement, disadvantage, disability) or moving away (``HOUSEHOLD_MOVE_OUT_RATE``,
    part mid-year); new households arrive every year (``HOUSEHOLD_ARRIVAL_RATE``).
    Absences are Poisson with an expected count = enrolled days x ``BASE_ABSENCE_RATE`` x the
    multipliers for disadvantage, disability, high school, race (``RACE_ABSENCE_MULTIPLIER``),
    neighbourhood and a latent engagement trait. Scale scores add ability, neighbourhood,
    disadvantage, English-learner and disability gaps (``SCORE_GAPS``) and noise.
    Homeless episodes (``HOMELESS_ANNUAL_RATE``) start with a shelter stay, followed by rapid
    re-housing (``RRH_AFTER_SHELTER_SHARE``) or PSH (``PSH_SHARE``); the district flags
    ``DISTRICT_IDENTIFIES_HOMELESS`` of sheltered students. Workers (parents, young people from
    16) have person-level employment propensity and earnings, lower when disadvantaged.

Planted effects (``effects.json``)
    Tutoring: ``TUTORING_ABSENCE_REDUCTION`` fewer expected absent days in the tutored year and
    ``TUTORING_SCORE_GAIN`` grade-3 scale-score points. A shelter stay overlapping the school
    year adds ``HOMELESS_EXTRA_ABSENCES`` expected absent days. Training adds
    ``TRAINING_QUARTERLY_GAIN`` dollars to each employed quarter after the exit quarter and
    ``TRAINING_EMPLOYMENT_GAIN`` to the chance of working then. From
    ``ATTENDANCE_CHANGE_START`` (the housing-education network's adopted change) every absence
    is kept with probability 1 - ``ATTENDANCE_CHANGE_REDUCTION``: the monthly share of days
    absent steps down there, and nowhere before. Selection into tutoring depends
    only on observed covariates (neighbourhood school, grade, disadvantage, English learner),
    into training on disadvantage and age, so naive comparisons are biased (participants are
    more disadvantaged) and exact or propensity matching on those covariates recovers the truth.

Identifier noise (``NOISE_RATES``, per person and partner, outside the district)
    The district's StudentUniqueIds (``604821``…) and names are clean. Every other partner has
    its own ids (``BF00012``, ``M-2031``, ``EYC-0042``, ``1017``, HMIS ``PersonalID``, SSN at the
    wage agency, ``TR300001``, ``SBH-A7001``, ``RCC2100001``) and records names with nicknames
    (Jon for Jonathan, Liz for Elizabeth) at 6%, a typo at 3%, first and last swapped at 1%,
    birth date missing at 8% (16% at the summer programme) or transposed at 2%, and (HMIS,
    training) an SSN digit wrong at 1%. HMIS holds SSNs for 85% of adults and 35% of children.

Determinism: one ``random.Random(seed)`` drives the simulation and each writer has its own
stream seeded from it (the kindergarten screen and the cohort files too, written last so that
they changed no earlier file); zips carry a fixed timestamp; so equal arguments give byte-identical
files. About 100 MB and under a minute at 20,000 students.
"""

from backbone.demo.city.files import ManifestEntry
from backbone.demo.city.generate import CityManifest, generate_city, read_manifest

__all__ = ["CityManifest", "ManifestEntry", "generate_city", "read_manifest"]
