"""The CDNOW log shipped in the lifetimes wheel: a real, headerless, whitespace-aligned file."""

from __future__ import annotations

import importlib.metadata

import pytest

from tests import reference


@pytest.fixture(scope="module")
def cdnow_master() -> str:
    try:
        dist = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("lifetimes (a dev dependency) is not installed")
    # Read the file through the wheel's metadata: lifetimes.datasets breaks on new setuptools.
    path = next(p for p in dist.files if p.name == "CDNOW_master.txt")
    return str(path.locate())


def test_cdnow_master_profile(cli, cdnow_master):
    with open(cdnow_master, "rb") as fh:
        assert b"\r\n" in fh.read(200)  # CRLF line ends, as shipped
    out = cli("profile", cdnow_master, "--json").json()
    exp = reference.cdnow_log(cdnow_master)
    assert out["source"] == "transactions"
    assert (out["rows"], out["customers"], out["orders"]) == (69659, 23570, 69659)
    assert (out["rows"], out["customers"]) == (exp.rows, exp.customers)
    assert out["revenue_total"] == pytest.approx(round(exp.revenue, 2), abs=0.01)
    assert out["dropped"] == {}
    assert (out["date_min"], out["date_max"]) == ("1997-01-01", "1998-06-30")
    assert out["mapping"] == {"customer": "customer_id", "date": "date", "amount": "dollar_value"}
    assert out["ignored_columns"] == ["number_of_cds"]  # valued by its amount: the number of CDs is not read
