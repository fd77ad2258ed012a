"""What happened to a report, as a mail's subject and first line say it (N_() texts, each
translated with `_()` where a mail is written; `{date}` is filled in there)."""

from __future__ import annotations

from chalicelib.domain.language import N_

RECEIVED = (
    N_("Your report was received"),
    N_("We received your vulnerability report. Thank you."),
)
REPLIED = (
    N_("The security team replied"),
    N_("The security team replied to your report."),
)
CHANGED = (
    N_("The status of your report changed"),
    N_("The security team changed the status of your report."),
)
# A report's public statuses after the first: (subject, what happened).
STATUS_NEWS = {
    "acknowledged": (
        N_("Your report was acknowledged"),
        N_("The security team acknowledged your report."),
    ),
    "triaged": (
        N_("Your report was triaged"),
        N_("The security team triaged your report."),
    ),
    "accepted": (
        N_("Your report was accepted"),
        N_("The security team accepted your report as a vulnerability."),
    ),
    "fixing": (
        N_("A fix is being worked on"),
        N_("A fix for the issue you reported is being worked on."),
    ),
    "fixed": (
        N_("The issue you reported is fixed"),
        N_("The issue you reported is fixed."),
    ),
    "disclosed": (
        N_("The issue you reported was disclosed"),
        N_("The issue you reported has been disclosed."),
    ),
    "duplicate": (
        N_("Your report was closed as a duplicate"),
        N_("The security team closed your report as a duplicate of another report."),
    ),
    "informative": (
        N_("Your report was closed as informative"),
        N_("The security team closed your report as informative: it needs no fix."),
    ),
    "not_applicable": (
        N_("Your report was closed as not applicable"),
        N_("The security team closed your report as not applicable."),
    ),
    "out_of_scope": (
        N_("Your report was closed as out of scope"),
        N_("The security team closed your report as out of the policy's scope."),
    ),
    "spam": (
        N_("Your report was closed as spam"),
        N_("The security team closed your report as spam."),
    ),
    "withdrawn": (
        N_("Your report was withdrawn"),
        N_("Your report was closed as withdrawn."),
    ),
}
# An embargo's changes, by event kind: (subject, what happened); {date} is the embargo's.
EMBARGO_NEWS = {
    "embargo_scheduled": (
        N_("A disclosure date was set for your report"),
        N_("The security team plans to disclose the issue you reported on {date}."),
    ),
    "embargo_moved": (
        N_("The planned disclosure date changed"),
        N_("The security team moved the planned disclosure of the issue you reported to {date}."),
    ),
    "embargo_cancelled": (
        N_("The planned disclosure was cancelled"),
        N_("The security team cancelled the disclosure planned for {date}."),
    ),
}
