from chalicelib.domain.receipts import (
    REPORT_ID,
    hash_receipt,
    is_report_id,
    new_receipt,
    new_report_id,
    verify_receipt,
)


def test_report_ids_are_short_readable_and_not_sequential() -> None:
    ids = [new_report_id() for _ in range(500)]

    assert all(REPORT_ID.match(i) for i in ids)
    assert len(set(ids)) == 500
    assert sorted(ids) != ids
    assert not any(c in i[4:] for i in ids for c in "ILOU")


def test_receipt_has_at_least_128_random_bits() -> None:
    receipt = new_receipt()

    # url-safe base64: 6 bits a character
    assert len(receipt) * 6 >= 128
    assert len({new_receipt() for _ in range(100)}) == 100


def test_receipt_is_stored_only_as_a_hash_that_verifies() -> None:
    receipt = new_receipt()
    stored = hash_receipt("VDP-7K3M-9QX2", receipt)

    assert receipt not in stored
    assert verify_receipt("VDP-7K3M-9QX2", receipt, stored)
    assert not verify_receipt("VDP-7K3M-9QX2", new_receipt(), stored)


def test_a_hash_does_not_verify_for_another_report() -> None:
    receipt = new_receipt()
    stored = hash_receipt("VDP-7K3M-9QX2", receipt)

    assert not verify_receipt("VDP-7K3M-9QX3", receipt, stored)


def test_unknown_report_never_verifies() -> None:
    assert not verify_receipt("VDP-7K3M-9QX2", new_receipt(), None)


def test_id_pattern_rejects_other_shapes() -> None:
    assert is_report_id("VDP-7K3M-9QX2")
    for value in ("VDP-7K3M-9QX", "vdp-7k3m-9qx2", "VDP-7K3M-9QXI", "../etc", ""):
        assert not is_report_id(value)
