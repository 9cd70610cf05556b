"""The synthetic survey's CSV files: title and header rows above a body of text cells."""

import csv
import io

import numpy as np
import pytest

from teichaku.synthetic.sheets import write_csv

HEAD = [["令和3年度 フォローアップ実態調査 対象者"], [], ["ケース番号", "年齢", "備考"]]
BODY = np.array(
    [
        ["R001", "65歳", None],
        ["R002", None, '家族と連絡あり, "要確認"'],
        ["R003", "７０", "入院中\n転居予定"],
    ],
    dtype=object,
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_head_then_body_in_the_encoding_with_crlf(tmp_path, encoding):
    path = tmp_path / "cases.csv"
    write_csv(path, HEAD, BODY, encoding)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    text = data.decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    body = [["" if cell is None else cell for cell in row] for row in BODY.tolist()]
    assert rows == HEAD + body
    assert text.count("\r\n") == len(HEAD) + len(BODY)  # rows end in CRLF
    assert text.count("\n") == len(HEAD) + len(BODY) + 1  # the note's own line break kept


def test_a_body_without_rows_writes_the_head_only(tmp_path):
    path = tmp_path / "empty.csv"
    write_csv(path, HEAD, np.empty((0, 3), dtype=object), "utf-8")
    assert (
        path.read_bytes().decode()
        == "令和3年度 フォローアップ実態調査 対象者\r\n\r\nケース番号,年齢,備考\r\n"
    )
