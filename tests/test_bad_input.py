"""Bad scenario files: a one-line error naming file, key, expected and found; exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import MINIMAL, extending

from sgsim.cli import main
from sgsim.scenario.errors import ScenarioError
from sgsim.scenario.loading import load_scenario

ROTA = '[teams.front_door.roles.triage_officer]\nheadcount = "none"\n' + (
    "[teams.front_door.roles.triage_officer.rota]\n"
)
REVIEW = (
    "[steps.triage.waiting_list.review]\nevery_working_days = 5\n"
    'minutes = { dist = "fixed", value = 10 }\n'
)

# (the child file's body after `extends`, the key path named, words expected in the message);
# a key whose value bad.toml inherits names the file it is in, {base}
CASES = [
    (
        "[demand]\ncontacts_per_yer = 10\n",
        "demand.contacts_per_yer",
        "did you mean 'contacts_per_year'",
    ),
    ('[demand]\ncontacts_per_year = "many"\n', "demand.contacts_per_year", "a number"),
    (
        "[teams.front_door.roles.triage_officer]\nheadcount = -2\n",
        "teams.front_door.roles.triage_officer.headcount",
        "a count >= 0",
    ),
    (
        "[steps.triage.outcomes_by_source.police]\nconcern = 1.5\n",
        "steps.triage.outcomes_by_source.police.concern",
        "a probability between 0 and 1",
    ),
    ("[demand.sources.police]\nshare = 0.7\n", "demand.sources", "sum to 1"),
    (
        "[demand]\nrisk_levels = { low = 0.5, medium = 0.3, high = 0.1 }\n",
        "demand.risk_levels",
        "sum to 1",
    ),
    (
        '[steps.triage]\ntouch_minutes = { dist = "lognormel", mean = 3, sd = 1 }\n',
        "steps.triage.touch_minutes.dist",
        "did you mean 'lognormal'",
    ),
    (
        '[steps.triage]\ntouch_minutes = { dist = "lognormal", mean = 3 }\n',
        "steps.triage.touch_minutes.sd",
        "required by lognormal",
    ),
    (
        '[steps.triage]\ntouch_minutes = { dist = "triangular", low = 5, mode = 3, high = 9 }\n',
        "steps.triage.touch_minutes.mode",
        ">= low",
    ),
    (
        '[steps.triage]\ntouch_minutes = { dist = "gamma", shape = 0, scale = 1 }\n',
        "steps.triage.touch_minutes.shape",
        "> 0",
    ),
    (
        '[steps.triage]\ntouch_minutes = { dist = "empirical", values = [1, 2], weights = [1] }\n',
        "steps.triage.touch_minutes.weights",
        "2 weights",
    ),
    (
        '[steps.triage]\nrole = "triage_oficer"\n',
        "steps.triage.role",
        "did you mean 'triage_officer'",
    ),
    (
        "[teams.front_door.roles.triage_officer]\nheadcount = 0\n",
        "teams.front_door.roles.triage_officer.headcount",
        "staff > 0",
    ),
    (
        "[teams.locality.roles.practitioner]\ncaseload_cap = 0\n",
        "teams.locality.roles.practitioner.caseload_cap",
        "a cap > 0",
    ),
    (
        '[steps.enquiry]\nteam = "localty"\n',
        "steps.enquiry.team",
        "did you mean 'locality'",
    ),
    (
        "[steps.s42_test.by_source.polise]\nabuse_or_neglect = 0.5\n",
        "steps.s42_test.by_source.polise",
        "did you mean 'police'",
    ),
    (
        '[steps.enquiry.duration_by_risk_level]\nextreme = { dist = "fixed", value = 1 }\n',
        "steps.enquiry.duration_by_risk_level",
        "one duration per risk level",
    ),
    ("[demand]\nmonth_of_year = [1, 1, 1]\n", "demand.month_of_year", "a list of 12 numbers"),
    (
        "[demand]\ncontacts_per_day = 8\n",
        "demand.contacts_per_year (in {base})",  # the other of the two, which bad.toml inherits
        "exactly one of",
    ),
    (
        '[teams.locality.roles.manager]\ncalendar = "24x7"\n',
        "teams.locality.roles.manager.calendar",
        "'24/7'",
    ),
    ('[run]\nstart_date = "next tuesday"\n', "run.start_date", "a date like 2022-04-01"),
    ("[run]\nrun_days = 0\n", "run.run_days", "> 0"),
    ("[reported.figures]\ncontacs = 5\n", "reported.figures.contacs", "did you mean 'contacts'"),
    (
        "[steps.closure]\ntouch_minutes = 3\n",
        "steps.closure.touch_minutes",
        "a distribution table",
    ),
    # Pathway v2: routes, teams, areas and entry points (issue #8)
    ('[steps.closure]\nkind = "decisoin"\n', "steps.closure.kind", "did you mean 'decision'"),
    ('[steps.closure]\nnext = "closd"\n', "steps.closure.next", "did you mean 'closed'"),
    (
        '[steps.triage]\nroutes = [{ outcome = "concern", to = "s42_tset" }, '
        '{ to = "not_a_concern" }]\n',
        "steps.triage.routes[0].to",
        "did you mean 's42_test'",
    ),
    (
        '[steps.triage]\nroutes = [{ outcome = "concren", to = "s42_test" }, '
        '{ to = "not_a_concern" }]\n',
        "steps.triage.routes[0].outcome",
        "did you mean 'concern'",
    ),
    (
        '[steps.triage]\nroutes = [{ source = "polise", to = "s42_test" }, '
        '{ to = "not_a_concern" }]\n',
        "steps.triage.routes[0].source",
        "did you mean 'police'",
    ),
    (
        '[steps.triage]\nroutes = [{ outcome = "concern", to = "s42_test" }]\n',
        "steps.triage.routes",
        "a route for every outcome and case",
    ),
    (
        # re-triage that sends every 'not a concern' back to triage: a loop nobody leaves
        '[steps.triage]\nroutes = [{ outcome = "concern", to = "s42_test" }, { to = "retriage" }]\n'
        '[steps.retriage]\nkind = "decision"\nteam = "front_door"\nrole = "triage_officer"\n'
        'touch_minutes = { dist = "fixed", value = 1 }\nnext = "triage"\n',
        "steps.triage.routes",
        "routes without a loop",
    ),
    (
        '[steps.advice]\nkind = "exit"\n',
        "steps.advice",
        "a step that some route or entry point reaches",
    ),
    (
        "[demand]\nareas = { north = 0.5, south = 0.5 }\n"
        '[teams.locality]\narea = "north"\n'
        '[steps.enquiry]\nteam = ["locality"]\n',
        "steps.s42_test.team (in {base})",
        "a team covering every area in demand.areas (none covers 'south')",
    ),
    (
        '[teams.locality]\narea = "nowhere"\n',
        "teams.locality.area",
        "an area named in demand.areas",
    ),
    (
        "[teams.locality.roles.senior]\nheadcount = 0\n",
        "teams.locality.roles.senior.headcount",
        "staff > 0",
    ),
    (
        '[demand.sources.care_provider]\nentry = "enquiry"\n'
        '[steps.s42_test]\nroutes = [{ outcome = "no_enquiry", to = "no_enquiry" }, '
        '{ source = "care_provider", to = "senior_enquiry" }, { to = "enquiry" }]\n',
        "demand.sources.care_provider.entry",
        "whose routes decide where contacts from 'care_provider' go",
    ),
    (
        "[teams.locality.roles.practioner]\nheadcount = 2\n",
        "teams.locality.roles.practioner",
        "did you mean 'practitioner'",
    ),
    # rotas, overtime and waiting-list reviews
    (
        ROTA + 'early = { days = ["mon", "tues"], start = 8, hours = 8, people = 2 }\n',
        "teams.front_door.roles.triage_officer.rota.early.days",
        "weekday names: mon, tue",
    ),
    (
        ROTA + 'early = { days = "weekdays", start = 8, hours = 8, people = 2 }\n'
        'late = { days = "fri", start = 15, hours = 8, people = 1 }\n',
        "teams.front_door.roles.triage_officer.rota.late",
        "shifts that do not overlap (shift early runs fri 8:00 to fri 16:00)",
    ),
    (
        ROTA + 'long = { days = "mon", start = 8, hours = 30, people = 2 }\n',
        "teams.front_door.roles.triage_officer.rota.long.hours",
        "a number > 0 and <= 24",
    ),
    (
        ROTA + 'night = { days = "sun", start = 20, hours = 12, people = 1 }\n'
        'early = { days = "mon", start = 7, hours = 8, people = 2 }\n',
        "teams.front_door.roles.triage_officer.rota.early",
        "shift night runs sun 20:00 to mon 8:00",
    ),
    (
        '[teams.front_door.roles.triage_officer]\nheadcount = "none"\ncalendar = "24/7"\n'
        "[teams.front_door.roles.triage_officer.rota]\n"
        'day = { days = "every_day", start = 8, hours = 12, people = 3 }\n'
        'night = { days = "weekdays", start = 20, hours = 12, people = 1 }\n',
        "teams.front_door.roles.triage_officer.rota",
        'someone on at every hour (calendar = "24/7")',
    ),
    (
        ROTA + 'early = { days = "every_day", start = 8, hours = 8, people = 0 }\n',
        "teams.front_door.roles.triage_officer.rota",
        "shifts with someone on at some time",
    ),
    (
        "[teams.front_door.roles.triage_officer.rota]\n"
        'early = { days = "every_day", start = 8, hours = 8, people = 2 }\n',
        "teams.front_door.roles.triage_officer.headcount (in {base})",
        "either a headcount or a rota",
    ),
    (
        '[teams.front_door.roles.triage_officer]\nheadcount = "none"\n',
        "teams.front_door.roles.triage_officer.headcount",
        "a value (people in post), or a rota",
    ),
    (
        ROTA.replace("\n[", "\nfte = 0.8\n[", 1)
        + 'early = { days = "every_day", start = 8, hours = 8, people = 2 }\n',
        "teams.front_door.roles.triage_officer.fte",
        "no fte with a rota",
    ),
    (
        '[teams.locality.roles.practitioner]\nheadcount = "none"\n'
        "[teams.locality.roles.practitioner.rota]\n"
        'early = { days = "every_day", start = 8, hours = 8, people = 2 }\n',
        "teams.locality.roles.practitioner.rota",
        "only for a role doing touch work",
    ),
    (
        "[teams.front_door.roles.clerk]\nheadcount = 1\n"
        "overtime = { when_queue_over = 30, extra_hours = 2, max_people = 1 }\n",
        "teams.front_door.roles.clerk.overtime",
        "overtime for a role some step takes touch time from",
    ),
    (
        '[teams.front_door.roles.triage_officer]\ncalendar = "24/7"\n'
        "overtime = { when_queue_over = 30, extra_hours = 2, max_people = 1 }\n",
        "teams.front_door.roles.triage_officer.overtime",
        "never goes off",
    ),
    (
        "[teams.front_door.roles.triage_officer]\n"
        "overtime = { when_queue_over = 30, extra_hours = 2, max_people = 0 }\n",
        "teams.front_door.roles.triage_officer.overtime.max_people",
        ">= 1",
    ),
    (
        REVIEW + 'team = "locality"\nrole = "managr"\n',
        "steps.triage.waiting_list.review.role",
        "did you mean 'manager'",
    ),
    (
        REVIEW + 'team = "locallity"\nrole = "manager"\n',
        "steps.triage.waiting_list.review.team",
        "did you mean 'locality'",
    ),
    (
        REVIEW + 'team = "locality"\nrole = "manager"\nraise_share = 0.7\nlower_share = 0.4\n',
        "steps.triage.waiting_list.review.lower_share",
        "raise_share + lower_share at most 1",
    ),
    (
        "[backlog.triage]\nwaiting = 1000000\n"
        + REVIEW.replace("= 5", "= 1")
        + 'team = "locality"\nrole = "manager"\n',
        "steps.triage.waiting_list.review.every_working_days",
        "reviews whose events fit in this machine's memory",
    ),
    (
        REVIEW.replace("value = 10", "value = 1e7") + 'team = "locality"\nrole = "manager"\n',
        "steps.triage.waiting_list.review.minutes",
        "250 working days",
    ),
]


@pytest.mark.parametrize(("body", "key", "words"), CASES)
def test_bad_value_names_file_key_and_expectation(tmp_path, body, key, words):
    path = extending(tmp_path, body)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    key = key.format(base=tmp_path / "minimal.toml")
    assert message.startswith(f"{path}: {key}: expected"), message
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize(("body", "key", "words"), CASES[:6])
def test_cli_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, body, key, words):
    path = extending(tmp_path, body)
    out = tmp_path / "out"
    assert main(["run", str(path), "-n", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and key in err and "Traceback" not in err
    assert not out.exists()
    assert main(["validate", str(path)]) == 2


def test_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_invalid_toml(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text("[demand\ncontacts_per_year = 3\n")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "valid TOML" in err and err.count("\n") == 1


def test_extends_loop(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="without loops"):
        load_scenario(tmp_path / "a.toml")


def test_missing_required_key(tmp_path):
    text = MINIMAL.read_text().replace('role = "triage_officer"\n', "", 1)
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=r"steps\.triage\.role: expected a value"):
        load_scenario(path)


def test_no_traceback_from_the_installed_command(tmp_path):
    path = extending(tmp_path, "[demand]\ncontacts_per_year = -5\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sgsim", "run", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "demand.contacts_per_year: expected a number > 0, got -5.0" in proc.stderr


def test_a_step_can_be_switched_off_with_none(tmp_path):
    """A file that extends another removes a step by setting it to "none" (and re-routes)."""
    (tmp_path / "minimal.toml").write_text(MINIMAL.read_text())
    path = tmp_path / "no_signoff.toml"
    path.write_text(
        'extends = "minimal.toml"\n[steps]\nclosure = "none"\n'
        '[steps.enquiry]\nnext = "closed"\n[steps.senior_enquiry]\nnext = "closed"\n'
        '[teams.locality.roles]\nmanager = "none"\n'
    )
    s = load_scenario(path).scenario
    assert "closure" not in s.steps
    assert ("locality", "manager") not in s.staff_pools()


def test_a_step_with_both_next_and_routes_is_refused(tmp_path):
    """Routes given beside next were silently ignored."""
    body = '[steps.closure]\nroutes = [{ outcome = "reduced", to = "closed" }]\n'
    path = extending(tmp_path, body)
    with pytest.raises(ScenarioError, match=r"steps\.closure\.routes: expected either next"):
        load_scenario(path)
