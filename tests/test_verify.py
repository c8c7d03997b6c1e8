"""`sgsim verify` (issue #5): every check against a known answer passes, quickly."""

from __future__ import annotations

import pytest

from sgsim.cli import main
from sgsim.studies.verify import erlang_c, priority_waits, run_checks


def test_known_answers_themselves():
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda)
    p, w = erlang_c(0.5, 1.0, 1)
    assert p == pytest.approx(0.5) and w == pytest.approx(1.0)
    # one priority class is plain M/M/1
    assert priority_waits([0.5], 1.0)[0] == pytest.approx(1.0)
    # classes together wait as much as FCFS on average (work conservation, equal service)
    lams = [0.2, 0.3, 0.3]
    waits = priority_waits(lams, 1.0)
    assert sum(lam * w for lam, w in zip(lams, waits, strict=True)) / sum(lams) == pytest.approx(
        erlang_c(0.8, 1.0, 1)[1]
    )


def test_quick_verify_passes_every_check_including_ciw():
    pytest.importorskip("ciw")
    checks = run_checks(quick=True)
    names = " ".join(c.name for c in checks)
    for words in ("Erlang C", "Cobham", "Little's law", "Jackson", "Ciw", "conservation"):
        assert words in names
    failed = [(c.name, c.expected, c.simulated, c.interval) for c in checks if not c.passed]
    assert failed == []


def test_verify_command_exit_code_and_table(capsys):
    assert main(["verify", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "passed, 0 failed" in out and "Erlang" in out and "Holm" in out


def test_a_check_that_cannot_run_here_is_shown_and_does_not_fail(monkeypatch):
    """On a plain install without Ciw, the Ciw cross-check says 'not run', not 'FAIL'."""
    import builtins

    import sgsim.studies.verify as verify

    real_import = builtins.__import__

    def no_ciw(name, *args, **kwargs):
        if name == "ciw":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ciw)
    checks = verify.check_two_stage(3, 60, 2)
    not_run = [c for c in checks if "Ciw" in c.name]
    assert len(not_run) == 1 and not_run[0].verdict == "not run" and not_run[0].passed
