"""The named parameters of the synthetic city: sizes, rates, disparities and planted effects.

Every number the generator draws from is here, so the documentation (the package docstring),
the truth folder (``effects.json``) and the tests all read the same values.
"""

from __future__ import annotations

import datetime as dt

CITY = "Riverton"
STATE = "XX"
LEA_ID = 255999  # the district's LocalEducationAgencyId (Ed-Fi)
FIRST_STUDENT_UNIQUE_ID = 604821  # StudentUniqueIds count up from here, Grand Bend style

# --- neighbourhoods: race/ethnicity mix, share economically disadvantaged, school quality ---
# name → (zip, race weights in RACE_ORDER, share economically disadvantaged, school effect on
# scale scores in points, absence multiplier, relative homelessness risk)
RACE_ORDER = (
    "White", "Black or African American", "Hispanic or Latino", "Asian",
    "Two or more races", "American Indian or Alaska Native",
    "Native Hawaiian or Pacific Islander",
)  # fmt: skip
NEIGHBOURHOODS: dict[str, tuple[str, tuple[float, ...], float, float, float, float]] = {
    "Northgate": ("55101", (0.62, 0.08, 0.12, 0.12, 0.05, 0.005, 0.005), 0.22, 8.0, 0.90, 0.5),
    "Riverside": ("55102", (0.30, 0.30, 0.28, 0.04, 0.06, 0.01, 0.01), 0.58, -4.0, 1.05, 1.2),
    "Eastside": ("55103", (0.12, 0.46, 0.32, 0.02, 0.06, 0.01, 0.01), 0.78, -10.0, 1.20, 2.0),
    "Mill District": ("55104", (0.22, 0.14, 0.52, 0.05, 0.05, 0.01, 0.01), 0.70, -6.0, 1.10, 1.6),
    "Hillcrest": ("55105", (0.55, 0.10, 0.14, 0.14, 0.06, 0.005, 0.005), 0.30, 5.0, 0.95, 0.6),
    "Southport": ("55106", (0.35, 0.20, 0.30, 0.06, 0.06, 0.02, 0.01), 0.50, -2.0, 1.00, 1.0),
}

# --- households and enrolment --------------------------------------------------------------
CHILDREN_PER_HOUSEHOLD = ((1, 0.45), (2, 0.35), (3, 0.15), (4, 0.05))
SIBLING_GAP_YEARS = (1, 5)  # years between siblings' births, uniform
HOUSEHOLD_MOVE_OUT_RATE = 0.05  # share of resident households leaving the city each year
HOUSEHOLD_ARRIVAL_RATE = 0.055  # new households per year, as a share of resident households
MID_YEAR_MOVE_SHARE = 0.4  # moves that happen during the school year rather than the summer
ENGLISH_LEARNER_RATE = {"Hispanic or Latino": 0.30, "Asian": 0.25}  # others: 0.03
DISABILITY_RATE = 0.13
PARENT_AGE_AT_FIRST_BIRTH = (19, 38)

# --- attendance ----------------------------------------------------------------------------
INSTRUCTIONAL_DAYS_TARGET = 175
BASE_ABSENCE_RATE = 0.045  # share of enrolled days absent for a reference student
ABSENCE_MULTIPLIERS = {
    "economically_disadvantaged": 1.55,
    "disability": 1.30,
    "high_school": 1.35,  # grades 9-12
    "engagement_sd": 0.30,  # log-rate change per SD of the latent engagement trait
}
RACE_ABSENCE_MULTIPLIER = {
    "Black or African American": 1.20, "Hispanic or Latino": 1.12,
    "American Indian or Alaska Native": 1.35, "Native Hawaiian or Pacific Islander": 1.20,
}  # fmt: skip
EXCUSED_SHARE = 0.55  # of absences; the rest are unexcused
TARDIES_PER_YEAR = 0.6  # mean Tardy events per student and year (not absences)

# --- state assessments (scale scores) -----------------------------------------------------
ASSESSMENTS = (("ELA", 3), ("Math", 3), ("ELA", 8), ("Math", 8))
SCALE_MEAN = {3: 480.0, 8: 560.0}
SCALE_SD_ABILITY = 38.0  # points per SD of the latent ability trait
SCALE_NOISE_SD = 18.0
SCORE_GAPS = {
    "economically_disadvantaged": -16.0, "english_learner_ela": -18.0,
    "english_learner_math": -8.0, "disability": -24.0,
}  # fmt: skip
# Cut scores (scale score) by grade: Did Not Meet below "met", Advanced from "advanced".
CUT_SCORES = {3: (470, 540), 8: (550, 620)}
SCALE_RANGE = (300, 800)

# --- kindergarten entry assessment (fall of kindergarten) ----------------------------------
# Modelled on the Ready for Kindergarten KRA (Maryland, Ohio): one composite scale score and
# three readiness levels; the partnership counts "Demonstrating Readiness" as ready.
KEA_SCALE_RANGE = (202, 298)
KEA_LEVELS = (  # (performance level, minimum, maximum composite scale score)
    ("Emerging Readiness", 202, 257),
    ("Approaching Readiness", 258, 269),
    ("Demonstrating Readiness", 270, 298),
)
KEA_READY_LEVEL = "Demonstrating Readiness"
KEA_MEAN = 270.0
KEA_SD_ABILITY = 10.0  # points per SD of the latent ability trait
KEA_NOISE_SD = 6.0
KEA_NEIGHBOURHOOD_SCALE = 0.25  # share of the neighbourhood's state-test school effect
KEA_GAPS = {"economically_disadvantaged": -4.0, "english_learner": -6.0, "disability": -7.0}
KEA_WINDOW_DAYS = 40  # administered on one of the first 40 instructional days
KEA_ASSESSED_SHARE = 0.95  # of kindergarteners enrolled on their administration day

# --- graduation and college ---------------------------------------------------------------
GRADUATION_LOGIT = 2.1  # intercept; minus disadvantage, plus ability/engagement
# Share of cohort members who moved away whose transfer the district can document (ACGR
# removes only documented leavers; the others stay in the cohort with status "unknown").
TRANSFER_DOCUMENTED_SHARE = 0.9
COLLEGE_ENROLL_LOGIT = -0.3
COLLEGE_AWARD_RATE = 0.35

# --- homelessness (HMIS) --------------------------------------------------------------------
HOMELESS_ANNUAL_RATE = 0.035  # episodes per economically disadvantaged household-year (x risk)
HOMELESS_NOT_DISADVANTAGED_RATE = 0.004
RRH_AFTER_SHELTER_SHARE = 0.55
PSH_SHARE = 0.08
DISTRICT_IDENTIFIES_HOMELESS = 0.75  # share of homeless students the district flags

# --- community programmes: selection on observed covariates only --------------------------
# probability per eligible student-year = base x (econ multiplier if disadvantaged) x (EL mult.)
TUTORING_GRADES = (1, 2, 3, 4, 5)
TUTORING_NEIGHBOURHOODS = ("Eastside", "Riverside", "Mill District", "Southport")
TUTORING_BASE_RATE = 0.08
TUTORING_ECON_MULTIPLIER = 2.6
TUTORING_EL_MULTIPLIER = 1.6
MENTORING_GRADES = (6, 7, 8, 9, 10)
MENTORING_RATE = 0.07
# The mentoring partner's own SEL rating (DESSA-style T-scores): the planted mean pre→post growth,
# the spread of the pre-test and of each mentee's change, and the share with no post-test.
MENTORING_SEL_GROWTH = 4.0
MENTORING_SEL_PRE_MEAN = 46.0
MENTORING_SEL_PRE_SD = 8.0
MENTORING_SEL_CHANGE_SD = 5.0
MENTORING_SEL_NO_POST = 0.12
AFTER_SCHOOL_GRADES = (3, 4, 5, 6, 7, 8)
AFTER_SCHOOL_NEIGHBOURHOODS = ("Eastside", "Mill District")
AFTER_SCHOOL_RATE = 0.18
SUMMER_GRADES = (0, 1, 2, 3, 4)
SUMMER_RATE = 0.10

# --- planted effects (the truth the analytics should recover) ------------------------------
TUTORING_ABSENCE_REDUCTION = 3.0  # fewer expected absent days in a tutored school year
TUTORING_SCORE_GAIN = 12.0  # scale-score points on the grade-3 tests in the tutored year
HOMELESS_EXTRA_ABSENCES = 6.0  # more expected absent days in a year with a shelter stay
# The housing-education network's adopted change (demo/networks.yaml: a call home on the first
# day of absence, district-wide): from this day on each absence is kept with probability
# 1 - ATTENDANCE_CHANGE_REDUCTION, so the share of days absent drops by that share.
ATTENDANCE_CHANGE_START = dt.date(2025, 1, 1)
ATTENDANCE_CHANGE_REDUCTION = 0.25
TRAINING_QUARTERLY_GAIN = 1500.0  # dollars per employed quarter after training exit
TRAINING_EMPLOYMENT_GAIN = 0.08  # added probability of employment per quarter after exit
# Discipline: the chance a student is suspended in a school year, by school level, and the
# planted disparities (multipliers) a suspension indicator should show.
SUSPENSION_CHANCE = {"elementary": 0.02, "secondary": 0.07}  # grades K-5, 6-12
SUSPENSION_ECON_MULTIPLIER = 2.0
SUSPENSION_BLACK_MULTIPLIER = 2.5
OTHER_DISCIPLINE_CHANCE = 0.05  # an incident handled without suspension (classroom removal)

# --- wages and training -------------------------------------------------------------------
WORKER_MIN_AGE = 16
QUARTERLY_EARNINGS_MEDIAN = {"parent": 9500.0, "young": 4200.0}
ECON_EARNINGS_FACTOR = 0.55
EMPLOYMENT_PROPENSITY = (0.55, 0.95)  # person-level probability of work in a quarter
EMPLOYERS = 60
TRAINING_RATE = {"parent": 0.012, "young": 0.025}  # entries per eligible person-year
TRAINING_ECON_MULTIPLIER = 2.5
TRAINING_PROGRAMS = (
    ("Healthcare Career Pathway", "Medical Assistant",
     "Certified Clinical Medical Assistant (CCMA)", 120),
    ("Healthcare Career Pathway", "Certified Nursing Assistant",
     "Certified Nursing Assistant (CNA)", 70),
    ("Advanced Manufacturing Bootcamp", "CNC Machine Operator", "NIMS Machining Level I", 100),
    ("IT Support Academy", "IT Support Specialist", "CompTIA A+", 140),
    ("Commercial Driving", "Truck Driver", "Class A CDL", 50),
)  # fmt: skip
TRAINING_COMPLETION_RATE = 0.72
HIRING_EMPLOYER = "st-brigid-health"
HIRING_EMPLOYER_UI_ACCOUNT = "UI-4400017"

# --- identifier noise at partners other than the district (per record) --------------------
NOISE_RATES = {
    "typo": 0.03,  # one character of the first or last name changed, dropped or doubled
    "nickname": 0.06,  # a known nickname instead of the first name (Jon for Jonathan)
    "name_swap": 0.01,  # first and last name exchanged
    "missing_birth_date": 0.08,  # birth date left blank (summer programme: twice this)
    "transposed_birth_date": 0.02,  # day and month exchanged, or two year digits swapped
    "ssn_typo": 0.01,  # one digit of the SSN wrong (HMIS, training)
}
# Students whose SSN the district holds (Ed-Fi StudentIdentificationCode, system SSN): the
# state collects it for P-20W linkage, and a few families decline.
DISTRICT_SSN_SHARE = 0.95
HMIS_CHILD_SSN_SHARE = 0.35  # children whose SSN HMIS records
HMIS_ADULT_SSN_SHARE = 0.85
