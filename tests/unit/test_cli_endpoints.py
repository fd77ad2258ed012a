"""What `vdp subscribe` says must happen before notifications arrive."""

import pytest

from vdp.cli.endpoints import confirmation

TOPIC = "arn:aws:sns:eu-west-1:123456789012:vdp-prod-events"


@pytest.mark.parametrize(
    ("protocol", "endpoint", "said"),
    [
        ("email", "team@example.org", "SNS mails a confirmation link to team@example.org"),
        ("https", "https://example.org/vdp", "SNS posts a confirmation request to https://"),
        ("sqs", "arn:aws:sqs:eu-west-1:210987654321:partner", "confirmation message to the queue"),
    ],
)
def test_mail_urls_and_other_accounts_queues_are_confirmed_first(
    protocol: str, endpoint: str, said: str
) -> None:
    assert said in (confirmation(protocol, endpoint, TOPIC) or "")


def test_a_queue_in_the_topics_own_account_needs_no_confirmation() -> None:
    assert confirmation("sqs", "arn:aws:sqs:eu-west-1:123456789012:team", TOPIC) is None
