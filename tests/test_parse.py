"""Money, dates and flags parsed per column: values, which cells are bad, and notes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custseg.ingest import parse as parse_mod
from custseg.ingest.parse import parse_dates, parse_flag, parse_money


def floats(parsed) -> list[float | None]:
    return [None if math.isnan(v) else v for v in parsed.values.tolist()]


def days(parsed) -> list[str | None]:
    return [None if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in parsed.values]


# -- money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, expected",
    [
        (["$1,234.50"], [1234.5]),
        (["1.234,50 EUR", "12,00 EUR"], [1234.5, 12.0]),
        (["1.234,50 €", "3,99 €"], [1234.5, 3.99]),
        (["-$3.00", "$10.00"], [-3.0, 10.0]),
        (["(3.00)", "4.50"], [-3.0, 4.5]),
        (["£12", "£7.50"], [12.0, 7.5]),
        (["12.5"], [12.5]),
    ],
)
def test_money_shapes(column, expected):
    parsed = parse_money(pd.Series(column))
    assert floats(parsed) == pytest.approx(expected)
    assert not parsed.bad.any()


def test_money_decimal_comma_is_noted_and_currency_hinted():
    parsed = parse_money(pd.Series(["1.234,50 €", "3,99 €", "1.234,50 €"]))
    assert parsed.notes == ["decimal comma"]
    assert parsed.currency_hint == "EUR"
    assert floats(parsed) == pytest.approx([1234.5, 3.99, 1234.5])


def test_money_currency_hint_from_code_and_none_when_mixed():
    assert parse_money(pd.Series(["10.00 GBP", "5.00 GBP"])).currency_hint == "GBP"
    assert parse_money(pd.Series(["€10.00", "£5.00"])).currency_hint is None
    assert parse_money(pd.Series(["10.00", "5.00"])).currency_hint is None


def test_money_unreadable_is_bad():
    parsed = parse_money(pd.Series(["12.50", "abc", "7"]))
    assert floats(parsed) == pytest.approx([12.5, None, 7.0], nan_ok=True)
    assert parsed.bad.tolist() == [False, True, False]


def test_money_empty_and_missing_are_nan_not_bad():
    parsed = parse_money(pd.Series(["12.50", "", None], dtype=object))
    assert floats(parsed)[0] == 12.5
    assert floats(parsed)[1:] == [None, None]
    assert parsed.bad.tolist() == [False, False, False]


def test_money_numeric_dtype_passes_through():
    raw = pd.Series([1.5, 2, np.nan, -4])
    parsed = parse_money(raw)
    assert floats(parsed) == [1.5, 2.0, None, -4.0]
    assert parsed.values.dtype == np.float64
    assert not parsed.bad.any()


@pytest.mark.parametrize("hint, expected", [(",", 1234.0), (None, 1.234)])
def test_money_undecided_column_follows_file_convention(hint, expected):
    parsed = parse_money(pd.Series(["1.234", "1.234"]), decimal_hint=hint)
    assert floats(parsed) == [expected, expected]


def test_money_column_evidence_beats_hint():
    parsed = parse_money(pd.Series(["1.234", "12.50"]), decimal_hint=",")
    assert floats(parsed) == pytest.approx([1.234, 12.5])


# -- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, expected",
    [
        (["2025-05-11 23:55:16 -0400"], ["2025-05-11"]),  # local day, not UTC's 05-12
        (["2025-03-04T10:21:14.123Z"], ["2025-03-04"]),
        (["19970101", "19971231"], ["1997-01-01", "1997-12-31"]),
        (["1700000000"], ["2023-11-14"]),  # epoch seconds
        (["1700000000000"], ["2023-11-14"]),  # epoch milliseconds
        ([1700000000, 1700086400], ["2023-11-14", "2023-11-15"]),
        ([1700000000000, 1700086400000], ["2023-11-14", "2023-11-15"]),
        (["31.12.2024", "03.04.2024"], ["2024-12-31", "2024-04-03"]),  # dotted: day-first
    ],
)
def test_date_shapes(column, expected):
    parsed = parse_dates(pd.Series(column))
    assert days(parsed) == expected
    assert not parsed.bad.any()


def test_dates_day_first_proven_by_a_day_above_12():
    parsed = parse_dates(pd.Series(["03/04/2024", "31/12/2024"]))
    assert days(parsed) == ["2024-04-03", "2024-12-31"]
    assert any("day-first" in n for n in parsed.notes)


def test_dates_month_first_proven_by_a_day_above_12_second():
    parsed = parse_dates(pd.Series(["03/04/2024", "12/31/2024"]))
    assert days(parsed) == ["2024-03-04", "2024-12-31"]
    assert any("month-first" in n for n in parsed.notes)


def test_dates_ambiguous_column_reads_month_first_and_says_so():
    parsed = parse_dates(pd.Series(["03/04/2024", "05/06/2024"]))
    assert days(parsed) == ["2024-03-04", "2024-05-06"]
    assert len(parsed.notes) == 1
    assert "month-first" in parsed.notes[0] and "day-first" in parsed.notes[0]


def test_dates_unparseable_is_bad():
    parsed = parse_dates(pd.Series(["2024-01-05", "not a date"]))
    assert days(parsed) == ["2024-01-05", None]
    assert parsed.bad.tolist() == [False, True]


def test_dates_missing_is_not_bad():
    parsed = parse_dates(pd.Series(["2024-01-05", None, "2024-01-07"], dtype=object))
    assert days(parsed) == ["2024-01-05", None, "2024-01-07"]
    assert parsed.bad.tolist() == [False, False, False]


def test_dates_datetime_dtype_passes_through_at_midnight():
    parsed = parse_dates(pd.Series(pd.to_datetime(["2024-01-05 23:30:00", "2024-02-29 00:10:00"])))
    assert days(parsed) == ["2024-01-05", "2024-02-29"]
    assert (parsed.values.dt.hour == 0).all()
    assert not parsed.bad.any()


def test_dates_tz_aware_dtype_keeps_the_wall_clock_day():
    stamps = pd.to_datetime(["2025-05-11 23:55:16", "2025-01-01 20:00:00"]).tz_localize("America/New_York")
    parsed = parse_dates(pd.Series(stamps))
    assert days(parsed) == ["2025-05-11", "2025-01-01"]  # UTC would say 05-12 and 01-02


# -- flags ------------------------------------------------------------------------------


def test_flags():
    flags = parse_flag(pd.Series(["yes", "no", "true", "false", "1", "0", "", None, " Yes ", "FALSE"], dtype=object))
    assert flags.dtype == "boolean"
    assert flags.tolist() == [True, False, True, False, True, False, pd.NA, pd.NA, True, False]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("ab1 \t\n\r\x0b\x0cé\u00a0\u2003\u3000,.")), max_size=6)), max_size=12), st.booleans())
def test_trimmed_skips_work_only_when_nothing_would_change(cells, large):
    """The first/last-byte check never skips a cell that trimming or blank-nulling would change."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from custseg.ingest.text import trimmed

    arr = pa.array(cells, type=pa.large_string() if large else pa.string())
    expected = pc.utf8_trim_whitespace(arr)
    expected = pc.if_else(pc.equal(expected, ""), pa.scalar(None, arr.type), expected)
    for got in (trimmed(arr), trimmed(pa.chunked_array([arr.slice(0, 3), arr.slice(3)], type=arr.type))):
        assert got.to_pylist() == expected.to_pylist()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(["2024-01-05", "2024-1-5", "2024-02-30", "20240105", "19991231", "05.01.2024", "13/01/2024", "01/13/2024", "03/04/2024", "1704412800", "1704412800000", "Jan 5, 2024", "junk", "", " 2024-03-01 ", None]),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=0, max_value=2**31),
)
def test_long_date_columns_parse_once_per_distinct_cell_with_the_same_result(monkeypatch, vocabulary, seed):
    """A long column takes the distinct-cell path; every row gets what the row-wise path gives."""
    monkeypatch.setattr("custseg.ingest.parse.DISTINCT_MIN_ROWS", 1000)
    rng = np.random.default_rng(seed)
    share = rng.dirichlet(np.full(len(vocabulary), 0.3))  # skewed: a few cells fill most rows
    cells = [vocabulary[i] for i in rng.choice(len(vocabulary), 12_000, p=share)]
    assert all(c is None for c in cells) or parse_mod._distinct(pd.Series(pd.array(cells, dtype=pd.StringDtype("pyarrow")))) is not None
    arrow = pd.Series(pd.array(cells, dtype=pd.StringDtype("pyarrow")))
    rowwise = pd.Series(cells, dtype=object)
    try:
        expected = parse_dates(rowwise)
    except Exception as exc:  # the same failure both ways
        with pytest.raises(type(exc)):
            parse_dates(arrow)
        return
    got = parse_dates(arrow)
    assert got.values.equals(expected.values)
    assert got.bad.tolist() == expected.bad.tolist()
    assert got.notes == expected.notes


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.sampled_from([" Ann@Shop.Example ", "ann@shop.example", "bob@", "@", "", "  ", "+1 (555) 010-2233", "0044 20 7946 0000", "'+1 555 010 2233", "12", "n/a", "Straße@Bücher.de"])), max_size=30))
def test_emails_and_phones_normalized_once_per_distinct_cell_as_row_by_row(monkeypatch, cells):
    from custseg.ingest import text as text_mod

    monkeypatch.setattr(text_mod, "ON_DISTINCT_MIN_ROWS", 1)
    for series in (pd.Series(cells, dtype=object), pd.Series(pd.array(cells, dtype=pd.StringDtype("pyarrow")))):
        assert text_mod.normalize_email(series).tolist() == text_mod._normalize_email(series).tolist()
        assert text_mod.normalize_phone(series).tolist() == text_mod._normalize_phone(series).tolist()


def test_identity_column_merges_ids_that_normalize_alike():
    """Customer ids encoded once per distinct cell equal the row-by-row normalization,
    and cells that normalize alike (Excel's 12346.0, case of an email) become one customer."""
    from custseg.ingest.text import customer_ids, identity_column, prefixed

    cells = [" 12346.0", "12346", "A@B.COM", "a@b.com", None, "  ", "x7", "x7"]
    for series in (pd.Series(cells, dtype=object), pd.Series(pd.array(cells, dtype=pd.StringDtype("pyarrow")))):
        got = identity_column(series, "i:", normalize=True)
        assert isinstance(got.dtype, pd.CategoricalDtype)
        assert got.astype(object).where(got.notna(), None).tolist() == prefixed(customer_ids(series), "i:").astype(object).where(lambda s: s.notna(), None).tolist()
        assert got.cat.categories.is_unique and len(got.cat.categories) == 3


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", "dd", "é"])), max_size=6), max_size=5))
def test_distinct_over_chunks_matches_one_chunk(chunks):
    """A column read in several chunks encodes to the same codes and cells as one chunk."""
    import pyarrow as pa

    from custseg.ingest.text import distinct

    chunked = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks], type=pa.large_string())))
    codes, cells = distinct(chunked)
    flat = [v for c in chunks for v in c]
    assert codes.dtype == np.int32 and len(codes) == len(flat)
    assert cells.to_pylist() == list(dict.fromkeys(v for v in flat if v is not None))  # first appearance order
    assert [None if k < 0 else cells[k].as_py() for k in codes] == flat


def test_pseudonyms_prepared_early_equal_the_direct_ones(monkeypatch):
    """Ids prepared from all identities (on ingest's second thread) map rows exactly as hashing
    the kept rows' identities does: identities only dropped rows had get no id, and two
    identities whose hashes collide share one."""
    from custseg.ingest import privacy
    from custseg.ingest.text import categorical

    column = categorical(np.array([4, 0, 0, -1, 2, 4], dtype=np.int32), pa_strings(["i:a", "i:b", "i:c", "i:d", "i:e"]), unique=True, index=pd.RangeIndex(6))
    kept = column[[True, True, False, True, True, True]].reset_index(drop=True)  # i:b and i:d are on no kept row
    prepared = privacy.prepare(kept.cat.categories, "0123456789abcdef")
    assert prepared.identities is kept.cat.categories  # the same object travels with the column
    direct = privacy.pseudonymize_column(kept.astype(object), "0123456789abcdef")
    hashed = []
    monkeypatch.setattr(privacy, "_hash", lambda v, k: hashed.append(v) or pytest.fail("prepared ids were hashed again"))
    early = privacy.pseudonymize_column(kept, "0123456789abcdef", prepared)
    assert list(early.categories) == list(direct.categories) == sorted(direct.categories)
    assert early.astype(object).tolist() == direct.astype(object).tolist()
    monkeypatch.undo()
    # a collision: "i:a" and "i:e" hash alike -> one id, as the direct path gives
    real = privacy._hash
    monkeypatch.setattr(privacy, "_hash", lambda v, k: np.where(np.asarray(v) == "i:e", real(np.array(["i:a"], dtype=object), k)[0], real(v, k)))
    collided = privacy.pseudonymize_column(kept, "0123456789abcdef", privacy.prepare(kept.cat.categories, "0123456789abcdef"))
    assert collided.astype(object).tolist() == privacy.pseudonymize_column(kept.astype(object), "0123456789abcdef").astype(object).tolist()
    assert collided[0] == collided[1] and len(collided.categories) == 2


def pa_strings(values):
    import pyarrow as pa

    return pa.array(values, type=pa.large_string())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["007", "7", "0", "12a", "", "99999999999999999999", "123456789012345678"])), max_size=4),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=2**31),
)
def test_whole_number_columns_encode_like_the_hash_encoding(monkeypatch, vocabulary, n_chunks, seed):
    """Long columns of whole numbers take the lookup-table path when every cell is plain
    digits ('007' and '7' are different customers, so a leading zero sends the column to the
    hash encoding); either way each row's code names its own cell."""
    import pyarrow as pa

    from custseg.ingest import text as text_mod

    monkeypatch.setattr(text_mod, "DIGITS_MIN_ROWS", 100)
    rng = np.random.default_rng(seed)
    cells = [str(n) for n in rng.integers(0, 1000, 600)]  # many numbers, and a few odd cells
    for row, cell in zip(rng.integers(0, 600, len(vocabulary)), vocabulary):
        cells[row] = cell
    cut = np.linspace(0, len(cells), n_chunks + 1).astype(int)
    chunked = pa.chunked_array([pa.array(cells[a:b], type=pa.large_string()) for a, b in zip(cut[:-1], cut[1:])], type=pa.large_string())
    codes, distinct_cells = text_mod.distinct(pd.Series(pd.arrays.ArrowStringArray(chunked)))
    assert codes.dtype == np.int32
    assert [None if k < 0 else distinct_cells[k].as_py() for k in codes] == cells
    assert sorted(distinct_cells.to_pylist()) == sorted({c for c in cells if c is not None})
    plain = all(c is None or (c.isdigit() and len(c) <= 18 and (c == "0" or not c.startswith("0"))) for c in cells)
    took_table = text_mod._digit_codes(chunked) is not None
    dense = plain and max(int(c) for c in cells if c is not None) < 2 * len(cells)
    assert took_table == dense  # only columns it gets right, and all of those


def test_customer_numbers_take_the_lookup_table():
    import pyarrow as pa

    from custseg.ingest.text import _digit_codes

    numbers = pa.array([str(i) for i in np.random.default_rng(3).integers(1, 300_000, 200_000)] + [None])
    codes, cells = _digit_codes(numbers)
    assert codes[-1] == -1 and cells.to_pylist() == sorted(cells.to_pylist(), key=int)
    assert _digit_codes(pa.array(["0" + c for c in numbers.to_pylist()[:-1]])) is None  # leading zeros: text, not numbers


def test_clock_seconds_order_times_of_one_day():
    """The time of day that orders two events of one calendar day: 12-hour clocks, offsets
    (moved to UTC), fractions; a cell without a time gives none."""
    from custseg.ingest.parse import clock_seconds

    got = clock_seconds(pd.Series(["2023-01-13 09:46:57 -0800", "5/11/2025 1:02 PM", "5/11/2025 12:30 AM", "2025-05-11T09:55:16.5+02:00", "2025-05-11T09:55:16Z", "2025-05-11", None]))
    assert got[:5].tolist() == [9 * 3600 + 46 * 60 + 57 + 8 * 3600, 13 * 3600 + 120, 1800, 9 * 3600 + 55 * 60 + 16.5 - 2 * 3600, 9 * 3600 + 55 * 60 + 16]
    assert np.isnan(got[5:]).all()
