"""National runs (``sgsim national``): councils from one table, and their total."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MINIMAL, rejected

from sgsim.cli import main
from sgsim.scenario.loading import load_scenario
from sgsim.studies.national import load_councils, national_total, run_national
from sgsim.studies.runner import run_replications
from sgsim.studies.sweep.execute import run_local

HEADER = "council,scenario,contacts_per_year,staff_scale\n"


def table(tmp_path: Path, rows: str) -> Path:
    shutil.copy(MINIMAL, tmp_path / "base.toml")
    path = tmp_path / "councils.csv"
    path.write_text(HEADER + rows)
    return path


def run(path: Path, replications: int = 2) -> tuple[list, list]:
    councils = load_councils(path)
    return councils, run_national(councils, 5, replications, lambda t: run_local(t, 1))


def test_a_council_with_the_base_volumes_and_staff_is_the_base_scenario(tmp_path):
    """Independent check: an unchanged row gives what ``sgsim run`` of its scenario gives
    at the same seed; a row with other volumes does not."""
    _, per_council = run(table(tmp_path, "Same,base.toml,,1\nBigger,base.toml,6000,2\n"))
    base = load_scenario(tmp_path / "base.toml").scenario
    assert per_council[0] == run_replications(base, 5, 2).per_replication
    assert per_council[1][0]["contacts"] > 1.5 * per_council[0][0]["contacts"]


def test_staff_scale_multiplies_every_headcount_and_contacts_set_the_rate(tmp_path):
    councils = load_councils(table(tmp_path, "Half,base.toml,1500,0.5\n"))
    s = councils[0].scenario
    # tests/data/minimal.toml: headcounts 3, 4, 2 and 1, 3,000 contacts a year
    assert s.teams["front_door"].roles["triage_officer"].headcount == 1.5
    assert s.teams["locality"].roles["practitioner"].headcount == 2
    assert s.teams["locality"].roles["senior"].headcount == 1
    assert s.teams["locality"].roles["manager"].headcount == 0.5
    assert s.demand.contacts_per_year == 1500


def test_the_national_total_is_the_sum_of_the_councils(tmp_path):
    """Bookkeeping: per replication, each count summed over councils; rates are not."""
    councils, per_council = run(table(tmp_path, "A,base.toml,,\nB,base.toml,2000,0.7\n"))
    total = national_total(councils, per_council)
    assert len(total) == 2
    for r in range(2):
        assert total[r]["concerns"] == per_council[0][r]["concerns"] + per_council[1][r]["concerns"]
        assert total[r]["contacts"] == per_council[0][r]["contacts"] + per_council[1][r]["contacts"]
    assert "contact_to_concern_rate" not in total[0]


def test_a_count_only_some_councils_make_sums_those_and_says_how_many(tmp_path, capsys):
    """A council whose scenario adds a kind of abuse (domestic abuse, a tenth of its
    cases): the national total keeps that count, summed over the one council that makes
    it, and says so in national.csv's councils column and in a note."""
    path = table(tmp_path, "A,base.toml,,\nB,other.toml,,\n")
    text = (tmp_path / "base.toml").read_text()
    old = "abuse_types = { neglect = 0.6, financial = 0.4 }"
    assert old in text
    new = "abuse_types = { neglect = 0.5, financial = 0.4, domestic_abuse = 0.1 }"
    (tmp_path / "other.toml").write_text(text.replace(old, new))
    councils, per_council = run(path)
    total = national_total(councils, per_council)
    for r in range(2):
        assert total[r]["abuse_domestic_abuse"] == per_council[1][r]["abuse_domestic_abuse"] > 0
        both = per_council[0][r]["abuse_neglect"] + per_council[1][r]["abuse_neglect"]
        assert total[r]["abuse_neglect"] == both
    out = tmp_path / "out"
    assert main(["national", str(path), "--out", str(out), "-n", "2", "--workers", "1"]) == 0
    rows = {
        line.split(",")[0]: line.split(",")[-1]
        for line in (out / "national.csv").read_text().splitlines()[1:]
    }
    assert rows["abuse_domestic_abuse"] == "1" and rows["abuse_neglect"] == "2"
    note = " ".join(capsys.readouterr().out.split())  # as wrapped to the terminal
    assert "note: a count only some councils' scenarios make sums those councils" in note
    assert note.endswith("says how many): abuse_domestic_abuse wrote 3 tables to " + str(out))


def test_national_command_writes_a_table_per_council_and_the_total(tmp_path, capsys):
    path = table(tmp_path, "West Sussex,base.toml,,\nEast Sussex,base.toml,2000,\n")
    out = tmp_path / "out"
    assert main(["national", str(path), "--out", str(out), "-n", "2", "--workers", "1"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["council_east_sussex.csv", "council_west_sussex.csv", "national.csv"]
    assert (out / "national.csv").read_text().startswith("metric,mean,ci95_low,ci95_high")
    assert "national total" in capsys.readouterr().out


@pytest.mark.parametrize(
    "rows, words",
    [
        ("A,base.toml,,\nA,base.toml,,\n", "line 3.council: expected a council named once"),
        ("A,missing.toml,,\n", "scenario: expected a scenario file beside the table"),
        ("A,base.toml,lots,\n", "contacts_per_year: expected a number > 0"),
        ("A,base.toml,,-1\n", "staff_scale: expected a number > 0"),
        ("A,base.toml,,nan\n", "staff_scale: expected a number > 0"),
        ("A,base.toml,1e400,\n", "contacts_per_year: expected a number > 0"),
    ],
)
def test_a_bad_row_is_one_line_naming_the_line_and_column(tmp_path, rows, words):
    message = rejected(lambda: load_councils(table(tmp_path, rows)))
    assert "councils.csv" in message and words in message, message


def test_a_table_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "councils.csv"
    path.write_text("name,file\nA,base.toml\n")
    assert "header: expected columns council, scenario" in rejected(lambda: load_councils(path))


def test_an_out_that_is_a_file_is_refused_before_any_council_runs(tmp_path, capsys):
    path = table(tmp_path, "A,base.toml,,\n")
    out = tmp_path / "taken"
    out.write_text("")
    assert main(["national", str(path), "--out", str(out), "-n", "1"]) == 2
    assert "--out: expected a folder" in capsys.readouterr().err


def test_an_existing_dask_cluster_gives_the_tables_local_processes_give(tmp_path, capsys):
    """A scheduler and a worker started as separate processes, as the README says, run
    the table with the seeds and streams local processes use: the same tables, byte for
    byte; the run leaves the user's cluster up. (The answer is the local executor's, which
    shares only ``run_point`` with Dask: the same code, not an independent figure.)"""
    pytest.importorskip("distributed")
    from dask.distributed import Client

    from sgsim.studies.dask_cluster import process_cluster

    path = table(tmp_path, "A,base.toml,,\nB,base.toml,2000,0.7\nC,base.toml,4000,1.5\n")
    command = ["national", str(path), "-n", "2", "--seed", "7", "--out"]
    with process_cluster(workers=1) as address:
        dask = [*command, str(tmp_path / "dask"), "--executor", "dask", "--scheduler", address]
        assert main(dask) == 0
        with Client(address, timeout=5) as client:
            assert len(client.scheduler_info()["workers"]) == 1
    assert main([*command, str(tmp_path / "local"), "--workers", "2"]) == 0
    names = sorted(p.name for p in (tmp_path / "local").iterdir())
    assert len(names) == 4
    for name in names:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    capsys.readouterr()


def test_a_cluster_without_workers_or_without_sgsim_on_them_is_one_line(
    tmp_path, capsys, monkeypatch
):
    """Dask loses a worker that cannot import the task's module and then waits for ever
    for another; sgsim refuses such a cluster, and one no worker joins, before sending
    any task. The worker here runs without a nanny, in a Python where sgsim cannot be
    imported."""
    pytest.importorskip("distributed")
    from sgsim.studies import dask_cluster

    monkeypatch.setattr(dask_cluster, "WORKERS_SECONDS", 1)
    path = table(tmp_path, "A,base.toml,,\n")
    with dask_cluster.process_cluster(workers=0) as address:
        command = ["national", str(path), "-n", "1", "--out", str(tmp_path / "out")]
        command += ["--executor", "dask", "--scheduler", address]
        assert main(command) == 2
        assert "--scheduler: expected a scheduler with workers" in capsys.readouterr().err
        no_sgsim = (
            "import sys; sys.modules['sgsim'] = None; from distributed.cli import dask_worker"
        )
        worker = subprocess.Popen(
            [sys.executable, "-c", f"{no_sgsim}; dask_worker.main()", address, "--no-nanny"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            monkeypatch.setattr(dask_cluster, "WORKERS_SECONDS", 30)
            assert main(command) == 2
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    err = capsys.readouterr().err
    assert "--scheduler: expected workers with sgsim installed" in err, err
    assert "1 of 1 workers cannot import it" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()
