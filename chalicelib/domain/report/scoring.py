"""CVSS 3.1 and 4.0 vectors scored by the maintained `cvss` library."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CvssScore:
    vector: str
    version: str
    score: float
    rating: str


def score_vector(vector: str) -> CvssScore:
    """Score a CVSS 3.1 or 4.0 base vector; ValueError if it is neither."""
    # Imported here: only submissions that carry a vector pay for the library.
    from cvss import CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    try:
        if vector.startswith("CVSS:3.1/"):
            v3 = CVSS3(vector)
            return CvssScore(vector, "3.1", float(v3.scores()[0]), v3.severities()[0].lower())
        if vector.startswith("CVSS:4.0/"):
            v4 = CVSS4(vector)
            return CvssScore(vector, "4.0", float(v4.base_score), str(v4.severity).lower())
    except CVSSError as exc:
        raise ValueError("not a valid CVSS vector") from exc
    raise ValueError("must be a CVSS 3.1 or 4.0 vector (CVSS:3.1/... or CVSS:4.0/...)")
