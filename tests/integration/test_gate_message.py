"""How a stop at the rejected-row gate reads on the terminal: the gate's bilingual message
as the error itself and again among the last lines, no CalledProcessError of a temporary
script, no Python traceback; and a number given through --config validates."""

from __future__ import annotations

import pytest

from .conftest import DEFAULT_RUN, run_snakemake
from .test_ingest_workflow import files_workdir


@pytest.mark.slow
def test_the_gate_stops_with_its_own_message_at_the_end(tmp_path):
    workdir = files_workdir(tmp_path, ["valid.csv", "err_invalid_date.csv"], 0.05)
    proc = run_snakemake(workdir, DEFAULT_RUN.ACCEPTED, check=False)
    assert proc.returncode != 0
    err = proc.stderr
    assert "CalledProcessError" not in err and "Traceback" not in err
    assert "RejectedShareExceeded in file" in err
    message = "1 of 4 case rows rejected (25.0% > validation.max_rejected_share 5.0%)"
    tail = err.strip().splitlines()[-8:]
    assert any(message in line for line in tail), tail
    assert any("対象者票 4 行のうち 1 行 (25.0%)" in line for line in tail), tail
    # the same run with a higher limit given on the command line (a number as text)
    proc = run_snakemake(
        workdir,
        DEFAULT_RUN.ACCEPTED,
        "--config",
        "validation={max_rejected_share: 0.5}",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (workdir / DEFAULT_RUN.ACCEPTED).is_file()
    assert "RejectedShareExceeded" not in proc.stderr
