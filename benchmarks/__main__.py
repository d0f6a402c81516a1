"""Run every benchmark: ``python -m benchmarks [NAME ...]`` (``make bench``)."""

from __future__ import annotations

import sys

from benchmarks import (
    disclosure_release,
    edfi_load,
    encoded_linkage,
    evidence_coverage,
    evidence_matching,
    evidence_staggered,
    home_page,
    indicator_page,
    indicators_library,
    linkage_city,
    linkage_febrl4,
    linkage_scale,
    load_scorecard,
    registry_import,
    sign_in_crowd,
    wage_load,
    workforce_actuals,
    workforce_exit_windows,
)

BENCHMARKS = {
    "registry_import": registry_import.main,
    "wage_load": wage_load.main,
    "edfi_load": edfi_load.main,
    "linkage_febrl4": linkage_febrl4.main,
    "linkage_city": linkage_city.main,
    "encoded_linkage": encoded_linkage.main,
    "evidence_matching": evidence_matching.main,
    "evidence_coverage": evidence_coverage.main,
    "evidence_staggered": evidence_staggered.main,
    "workforce_exit_windows": workforce_exit_windows.main,
    "linkage_scale": linkage_scale.main,
    "indicators_library": indicators_library.main,
    "disclosure_release": disclosure_release.main,
    "load_scorecard": load_scorecard.main,
    "sign_in_crowd": sign_in_crowd.main,
    "home_page": home_page.main,
    "workforce_actuals": workforce_actuals.main,
    "indicator_page": indicator_page.main,
}


def main(names: list[str]) -> None:
    for name in names or list(BENCHMARKS):
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
