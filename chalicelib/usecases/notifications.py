"""Content-free events for the team's SNS topic.

A message carries ids, product, severity, status and dates, never anything the
reporter wrote. The attributes `event`, `severity` and `product` let subscribers
filter (SNS filter policies).
"""

from __future__ import annotations

import logging

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.records import ReportRecord
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)

RECEIVED = "report.received"
MESSAGE_RECEIVED = "report.message_received"
STATUS_CHANGED = "report.status_changed"
SLA_BREACHED = "report.sla_breached"


def announce(ports: Ports, event: str, record: ReportRecord, **details: str) -> bool:
    """Publish one event about a report; False (logged) when it could not be published.

    `details` must be content-free too (a deadline's name, a date, a status).
    """
    message = {
        "event": event,
        "report_id": record.report_id,
        "product": record.product,
        "severity": record.severity,
        "status": record.status,
        "acknowledge_by": record.acknowledge_by.isoformat(),
        **details,
    }
    attributes = {"event": event, "severity": record.severity, "product": record.product}
    try:
        ports.notifier.publish(message, attributes)
    except Unavailable as exc:
        log.warning("notification not delivered", extra={"event": event, "service": exc.service})
        return False
    except Exception:
        # Anything else (an answer botocore misreads, or a bug of ours: hence an error):
        # what was announced is already saved, so the caller's request must not fail now;
        # report.received and SLA breaches are retried, other events are lost.
        log.error("notification not delivered", exc_info=True, extra={"event": event})
        return False
    return True
