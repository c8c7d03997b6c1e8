"""Write ``england_synthetic.csv``: a synthetic England of 152 councils for ``sgsim national``.

Assumptions (none of these is a published council figure):

- England's councils recorded 615,530 safeguarding concerns in 2023-24 (DHSC, Safeguarding
  Adults England 2024 to 2025 statistical commentary).
- Every council has West Sussex's design (``scenarios/west_sussex_2022_23.toml``), whose
  contacts become concerns at 1,791 / 9,265 = 19.3%; so England's contacts are about
  615,530 / 0.1933 = 3.18 million a year.
- Councils' sizes follow a lognormal distribution with a standard deviation of 0.6 on the
  log scale (the largest councils about ten times the smallest), drawn once with seed 152
  and scaled so that their contacts add up to England's.
- Each council's staff scale is its contacts over West Sussex's 9,265, so each person
  carries West Sussex's load. ``contacts_per_year`` is the rate at the start of the
  measured year, as in the West Sussex file (8,819 for its 9,265 contacts in the year).

    python experiments/national/make_england.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

ENGLAND_CONCERNS = 615_530
WEST_SUSSEX_CONTACTS = 9_265
WEST_SUSSEX_CONCERNS = 1_791
WEST_SUSSEX_RATE_AT_START = 8_819  # its file's contacts_per_year, for 9,265 in the year
COUNCILS = 152
SPREAD = 0.6
SEED = 152

HERE = Path(__file__).parent


def main() -> None:
    contacts = ENGLAND_CONCERNS * WEST_SUSSEX_CONTACTS / WEST_SUSSEX_CONCERNS
    size = np.random.default_rng(SEED).lognormal(0.0, SPREAD, COUNCILS)
    council_contacts = contacts * size / size.sum()
    with open(HERE / "england_synthetic.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["council", "scenario", "contacts_per_year", "staff_scale"])
        for k, n in enumerate(council_contacts, start=1):
            writer.writerow(
                [
                    f"synthetic council {k:03d}",
                    "../../scenarios/west_sussex_2022_23.toml",
                    round(n * WEST_SUSSEX_RATE_AT_START / WEST_SUSSEX_CONTACTS),
                    round(n / WEST_SUSSEX_CONTACTS, 4),
                ]
            )
    print(f"{COUNCILS} councils, {contacts:,.0f} contacts a year in all")


if __name__ == "__main__":
    main()
