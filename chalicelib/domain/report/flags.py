"""What the policy notices about a submission: hints for the reporter, tags for the team.

Flags never reject a report; they say "this version is not supported" or "this
sounds like a class the policy excludes", so the reporter can add context.
"""

from __future__ import annotations

import re
from functools import cache

from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.models import ReportSubmission

UNSUPPORTED_VERSION = "unsupported_version"
# A version the product's ranges cannot be compared with ("banana-1"): the team checks it.
UNRECOGNISED_VERSION = "unrecognised_version"
# Encrypted to the team: what the text says cannot be read here (the CLI flags it after
# decrypting).
ENCRYPTED = "encrypted"
OUT_OF_SCOPE_PREFIX = "possibly_out_of_scope:"


def flags_for(submission: ReportSubmission, policy: Policy) -> list[str]:
    flags = []
    if submission.version and (
        flag := version_flag(policy, submission.product, submission.version)
    ):
        flags.append(flag)
    if submission.encrypted():
        return [*flags, ENCRYPTED]
    return flags + text_flags(f"{submission.title}\n{submission.description}", policy)


def text_flags(text: str, policy: Policy) -> list[str]:
    """The classes the policy excludes that the text mentions (also after decrypting)."""
    flags = []
    text = text.lower()
    for exclusion in policy.exclusions:
        if exclusion.keywords and _mentions(tuple(exclusion.keywords)).search(text):
            flags.append(f"{OUT_OF_SCOPE_PREFIX}{exclusion.id}")
    return flags


def version_flag(policy: Policy, product_id: str, version: str) -> str | None:
    """Unsupported, or unrecognised (a product with version ranges, and a version that
    is not a version to them), or None."""
    from packaging.version import InvalidVersion, Version

    product = policy.product(product_id)
    if product is None or not product.versions:
        return None
    try:
        Version(version.removeprefix("v"))
    except InvalidVersion:
        return UNRECOGNISED_VERSION
    return UNSUPPORTED_VERSION if version_supported(policy, product_id, version) is False else None


def version_supported(policy: Policy, product_id: str, version: str) -> bool | None:
    """True or False from the first matching range of the product; None when unknown."""
    from packaging.version import InvalidVersion, Version

    product = policy.product(product_id)
    if product is None:
        return None
    try:
        parsed = Version(version.removeprefix("v"))
    except InvalidVersion:
        return None
    from packaging.specifiers import SpecifierSet

    for entry in product.versions:
        if SpecifierSet(entry.range).contains(parsed, prereleases=True):
            return entry.supported
    return None


@cache
def _mentions(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the keywords as a whole word (in lower-cased text): one pattern per exclusion."""
    alternatives = "|".join(re.escape(keyword.lower()) for keyword in keywords)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")
