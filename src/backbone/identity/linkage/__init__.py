"""Record linkage: which records, across partners' files, are the same person.

Splink 5 (Fellegi-Sunter) does the probabilistic work; this package holds what backbone decides
around it, each step small and separately usable, each module importing only those above it:

* ``settings`` — blocking rules and comparisons as data, for whatever roles a source has
  (``standardise.ROLES``), and ``LinkageModel``, the trained model as versioned JSON.
* ``training`` — no labels needed: λ from deterministic rules, u by seeded random sampling, m by
  EM over two blocking rules.
* ``scoring`` — ``predict`` (strong identifiers override Splink's scores), ``cluster``, and
  ``link_standardised``, which trains, predicts and clusters on one ``Engine``.
* ``spark`` — a trained model's SQL rewritten for Spark, and ``link_on_spark``.
* ``sole_candidates`` — a person known only without a birth date joined to the one person they
  could be.

Two doors use them: ``files.link_files`` (link two CSV/Parquet files, or deduplicate one,
optionally scored against known true pairs) and ``workspace.link_identity_records`` (the
warehouse's identity tier, all partners at once). Both receive the ``Engine`` to run on
(``DuckDBEngine`` or ``SparkEngine``); neither chooses one by name.
"""

from backbone.identity.linkage.files import LinkReport, link_files, read_labels, score_report
from backbone.identity.linkage.scoring import (
    Linkage,
    Record,
    ScoredPair,
    cluster,
    link_standardised,
    predict,
)
from backbone.identity.linkage.settings import (
    DEFAULT_THRESHOLD,
    LINK_TYPES,
    LinkageModel,
    LinkType,
    NoComparableColumns,
    blocking_rules,
    comparisons,
    linkage_settings,
)
from backbone.identity.linkage.sole_candidates import RecordFacts, join_sole_candidates
from backbone.identity.linkage.training import Training, em_rules, lambda_rules, train
from backbone.identity.linkage.workspace import (
    IDENTITY_ROLES,
    IdentityLinkage,
    dataset_name,
    link_identity_records,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "IDENTITY_ROLES",
    "LINK_TYPES",
    "IdentityLinkage",
    "LinkReport",
    "LinkType",
    "Linkage",
    "LinkageModel",
    "NoComparableColumns",
    "Record",
    "RecordFacts",
    "ScoredPair",
    "Training",
    "blocking_rules",
    "cluster",
    "comparisons",
    "dataset_name",
    "em_rules",
    "join_sole_candidates",
    "lambda_rules",
    "link_files",
    "link_identity_records",
    "link_standardised",
    "linkage_settings",
    "predict",
    "read_labels",
    "score_report",
    "train",
]
