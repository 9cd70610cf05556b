"""CSV files read column-wise (pyarrow) hold the same cells as the csv module reads."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teichaku.ingest.readers import CsvRows, read_csv

# commas, line ends, blanks (ASCII, ideographic, separators Python strips) and text
PIECES = [",", "\r", "\n", "\r\n", " ", "\u3000", "\x1c", "a", "1", "あ"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _expected(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=6), st.sampled_from([None, b"", b"\xef\xbb\xbf"]))
def test_rows_and_columns_equal_the_csv_module(text, start, utf8):
    """``utf8``: the text's bytes (with or without a BOM) are at hand, or not."""
    expected = _expected(text)
    rows = CsvRows(text, None if utf8 is None else utf8 + text.encode())
    assert len(rows) == len(expected)
    assert list(rows) == expected and rows[-1:] == expected[-1:]
    columns = rows.columns(start)
    body = expected[start:]
    if columns is None:  # rows of unequal length: the caller reads ``rows`` instead
        assert len({len(r) for r in body}) > 1 or not body[0]
        return
    assert columns.n_rows == len(body)
    got = [list(r) for r in zip(*(c.to_pylist() for c in columns.cells), strict=True)]
    for want, row in zip(body, got or [[]] * len(body), strict=True):
        # an empty line is [] to the csv module and a row of blanks to pyarrow: both blank
        assert row == want or (not want and not any(row))


def test_quotes_are_left_to_the_csv_module(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('h1,h2\n"x,y",z\n', encoding="utf-8")
    sheet = read_csv(path, "a.csv")
    assert sheet.columns(1) is None and sheet.rows == [["h1", "h2"], ["x,y", "z"]]
    path.write_text("h1,h2\nx,z\n", encoding="cp932")
    sheet = read_csv(path, "a.csv")
    assert [c.to_pylist() for c in sheet.columns(1).cells] == [["x"], ["z"]]


def test_a_quote_left_open_on_a_last_line_without_a_line_end_is_an_unbalanced_quote(tmp_path):
    from teichaku.ingest.errors import IngestError

    path = tmp_path / "a.csv"
    path.write_text('h1,h2\nx,z\n"y,w', encoding="utf-8")
    with pytest.raises(IngestError, match=r"unbalanced_quote.*line 3"):
        read_csv(path, "a.csv")
    path.write_text('h1,h2\nx,z\n"y,w",v', encoding="utf-8")  # closed: read as usual
    assert read_csv(path, "a.csv").rows[-1] == ["y,w", "v"]
