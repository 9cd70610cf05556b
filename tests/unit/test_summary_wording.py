"""The summary's words for what config and diagnostics hold as code (teichaku.report.wording)
and the provenance record as provenance.txt."""

import pytest

from teichaku.codebook import load_codebook
from teichaku.report import provenance
from teichaku.report.wording import describe_subset, in_sentence, join_words


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.mark.parametrize(
    ("where", "ja", "en"),
    [
        (
            "end_reason != 'death'",
            "終了理由が「死亡」の事例を除く",
            'excluding cases whose reason for ending is "Death"',
        ),
        (
            "end_reason in ['stable', 'handover']",
            "終了理由が「地域生活の安定」・「他機関への引継ぎ」のいずれかの事例",
            'cases whose reason for ending is "Stable life in the community" or '
            '"Handed over to another agency"',
        ),
        (
            "age >= 65 and end_reason == 'death'",
            "相談時年齢が65歳以上の事例、終了理由が「死亡」の事例",
            'cases whose age at referral is at least 65; cases whose reason for ending is "Death"',
        ),
    ],
)
def test_a_models_sample_is_described_from_the_codebook(codebook, where, ja, en):
    assert describe_subset(where, codebook, "ja") == ja
    assert describe_subset(where, codebook, "en") == en


@pytest.mark.parametrize(
    "where",
    ["end_reason != 'nonsense'", "no_such_column > 1", "age.between(1, 2)", "age >= 'x'", "(("],
)
def test_a_sample_it_cannot_describe_is_never_printed_as_the_query(codebook, where):
    for language in ("ja", "en"):
        text = describe_subset(where, codebook, language)
        assert text in (
            "モデルの定義で限定した一部の事例",
            "a subset of the cases defined in the model's specification",
        )


def test_labels_in_english_sentences():
    assert in_sentence("Center", "en") == "center"
    assert in_sentence("GEE logistic model", "en") == "GEE logistic model"
    assert in_sentence("IQ equivalent", "en") == "IQ equivalent"
    assert in_sentence("センター", "ja") == "センター"
    assert join_words(["“a”", "“b”", "“c”"], "en", "or") == "“a”, “b” or “c”"
    assert join_words(["「a」", "「b」"], "ja") == "「a」・「b」"


def test_provenance_txt_reads_back_as_the_record(tmp_path):
    record = {
        "git": {"commit": "abc123", "dirty": False},
        "config_sha256": "f" * 64,
        "inputs_sha256": {"config/codebook.yaml": "1" * 64, "data/raw/r/cases-1.xlsx": "2" * 64},
        "packages": {"python": "3.11.7", "pandas": "3.1.1"},
        "seeds": {"analysis.seed": "20211021"},
    }
    text = provenance.to_text(record)
    assert provenance.from_text(text) == record
    assert f"{'1' * 64}  config/codebook.yaml" in text  # as sha256sum prints it
    assert provenance.publishable_path(str(tmp_path / "a" / "b.yaml"), tmp_path) == "a/b.yaml"
    assert provenance.publishable_path("/home/someone/config.yaml", tmp_path) == "config.yaml"
