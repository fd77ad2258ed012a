"""Attachments: AES-GCM throughput of crypto.seal, and what 4 MB attached adds to a submission.

Throughput: chalicelib.domain.crypto.seal on a 4 MiB random attachment (the policy's
total limit), median of repeated runs. Latency: submissions through the Chalice
app with and without one 4 MiB JSON base64 attachment, alternated on in-process
moto; the figure is the difference of the medians.
"""

from __future__ import annotations

import base64
import os

from bench import common

ATTACHMENT_BYTES = 4 * 1024 * 1024
TARGET_MB_S = 500.0


def seal_throughput(runs: int) -> float:
    """MB/s (10^6 bytes per second) of sealing one 4 MiB part."""
    from chalicelib.domain.crypto import DataKey, seal

    data = os.urandom(ATTACHMENT_BYTES)
    key = DataKey(plaintext=os.urandom(32), wrapped=os.urandom(184), key_id="bench")
    context = {"report_id": "VDP-BNCH-0000", "part": "attachment-0"}
    seal(data, key, context)
    seconds = [common.timed(lambda: seal(data, key, context)) for _ in range(runs)]
    return ATTACHMENT_BYTES / 1e6 / (common.median_ms(seconds) / 1000)


def added_latency(runs: int) -> tuple[float, float]:
    """Median milliseconds (with 4 MiB attached, without), alternated; needs moto."""
    from app import app

    attachment = {
        "filename": "poc.bin",
        "content_type": "application/octet-stream",
        "data": base64.b64encode(os.urandom(ATTACHMENT_BYTES)).decode(),
    }
    plain = common.api_event(common.report_body())
    attached = common.api_event(common.report_body({"attachments": [attachment]}))
    common.submit_through_app(app, plain)  # warm-up
    common.submit_through_app(app, attached)
    with_s, without_s = [], []
    for _ in range(runs):
        with_s.append(common.timed(lambda: common.submit_through_app(app, attached)))
        without_s.append(common.timed(lambda: common.submit_through_app(app, plain)))
    return common.median_ms(with_s), common.median_ms(without_s)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    runs = 3 if args.smoke else 30
    throughput = seal_throughput(runs)
    common.figure(
        "attachment_seal",
        throughput,
        "MB/s",
        f">= {TARGET_MB_S:.0f} MB/s",
        common.verdict(throughput, at_least=TARGET_MB_S),
        f"crypto.seal of 4 MiB, median of {runs}; MB = 10^6 bytes",
    )
    with common.in_process_aws():
        with_ms, without_ms = added_latency(2 if args.smoke else 15)
    common.figure(
        "attachment_latency",
        with_ms - without_ms,
        "ms added",
        "none set (informational)",
        f"ratio {with_ms / without_ms:.2f}x of a plain submission",
        f"{with_ms:.1f} ms with 4 MiB attached (base64 JSON, ~5.6 MB body) vs "
        f"{without_ms:.1f} ms without; in-process moto",
    )


if __name__ == "__main__":
    main()
