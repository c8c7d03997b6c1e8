"""The HTML report: one self-contained file with assumptions, results, figures, and the
scenario text, so a Board member can read it offline and an analyst can reproduce it."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io

import matplotlib
from matplotlib.figure import Figure

from sgsim import __version__
from sgsim.analysis.metrics import metric_names
from sgsim.analysis.summary import check_rates, compare_reported
from sgsim.outputs.describe import assumptions, staffing_rows
from sgsim.outputs.figures import STYLE, draw_all
from sgsim.outputs.tables import GROUP_TITLES, fmt
from sgsim.scenario.loading import LoadedScenario
from sgsim.studies.runner import RunResult

CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.4rem; border-bottom: 2px solid #0072B2; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.95rem; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.label, th.label { text-align: left; color: #555; }
tr.group td { font-weight: bold; background: #f3f6fa; text-align: left; }
.matches { color: #00704a; } .plausible { color: #a05a00; } .differs { color: #b3261e; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.95rem; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: 0.85rem; }
.meta { color: #555; }
.warning { border-left: 4px solid #b3261e; background: #fbeeed; padding: 0.5rem 1rem; }
"""

CAPTIONS = {
    "funnel": "Each count of the funnel: the simulated mean, with the 95% confidence interval "
    "of the mean as error bars (where the mean lies, not the spread of single years), beside "
    "the reported figure.",
    "queues": "Cases waiting at each step at the end of each day: mean over replications, "
    "shaded with the 95% confidence interval of the mean; the warm-up is shaded grey.",
    "decision_times": "Working days from contact to the front-door decision, with the target "
    "where the scenario has one.",
    "waits": "How long cases wait at each step, and how long enquiries last once allocated "
    "(calendar days).",
    "staff": "Utilisation of each team's roles week by week, and safeguarding caseload per "
    "person day by day: means, shaded with the 95% confidence interval of the mean.",
    "monthly_concerns": "Concerns raised each month (mean with the 95% confidence interval of "
    "the mean; triangles: the lowest and highest simulated year), against the monthly range a "
    "report gives.",
}


def _e(x: object) -> str:
    return html.escape(str(x))


def _table(header: list[str], rows: list[list[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if raw else _e(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure_html(name: str, fig: Figure) -> str:
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure id="fig-{name}"><img alt="{_e(CAPTIONS[name])}" '
        f'src="data:image/png;base64,{data}"><figcaption>{_e(CAPTIONS[name])}</figcaption>'
        "</figure>"
    )


def build_report(loaded: LoadedScenario, result: RunResult, command: list[str]) -> str:
    """The whole report as one HTML string (figures embedded as data URIs)."""
    s = loaded.scenario
    summaries = result.summaries()
    labels = metric_names(s)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>sgsim report: {_e(s.name)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(s.name)}</h1>",
        f"<p>{_e(s.description)}</p>" if s.description else "",
        f"<p class='meta'>sgsim {__version__}; {result.replications} replications; seed "
        f"{result.seed}; made {dt.date.today():%d %B %Y}.</p>",
        "<h2 id='assumptions'>Assumptions in plain words</h2>",
    ]
    for heading, lines in assumptions(s):
        parts.append(f"<h3>{_e(heading)}</h3><ul>")
        parts.extend(f"<li>{_e(line)}</li>" for line in lines)
        parts.append("</ul>")
    rows = staffing_rows(s)
    parts.append(
        "<h3>Staffing: teams and their roles</h3>"
        + _table(list(rows[0]), [list(r.values()) for r in rows])
    )

    parts.append("<h2 id='results'>Results</h2>")
    parts.extend(
        f"<p class='warning' id='warning-{_e(g.queue)}'><b>Warning:</b> {_e(g.words)}.</p>"
        for g in result.unsettled(s)
    )
    parts.append(
        "<p>Means over replications with 95% confidence intervals, for the measured period.</p>"
    )
    body, group = [], None
    for name, sm in summaries.items():
        g, label = labels.get(name, ("", name))
        if g != group:
            group = g
            body.append(f"<tr class='group'><td colspan='4'>{_e(GROUP_TITLES.get(g, g))}</td></tr>")
        body.append(
            f"<tr><td>{_e(name)}</td><td class='label'>{_e(label)}</td>"
            f"<td>{_e(fmt(name, sm.mean))}</td>"
            f"<td>{_e(fmt(name, sm.ci95[0]))} - {_e(fmt(name, sm.ci95[1]))}</td></tr>"
        )
    parts.append(
        "<table><thead><tr><th>metric</th><th class='label'>what it is</th><th>mean</th>"
        "<th>95% CI</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )

    parts.append("<h2 id='reported'>Reported vs simulated</h2>")
    checks = compare_reported(s.reported, summaries)
    if checks:
        parts.append(
            f"<p>Source: {_e(s.reported.source or 'not given')}. <i>In CI</i>: inside "
            "the 95% CI of the simulated mean; <i>in spread</i>: inside the middle 95% "
            "of simulated years; <i>differs</i>: outside both.</p>"
        )
        rows_r = []
        for c in checks:
            css = "matches" if c.within_ci else "plausible" if c.within_range else "differs"
            rows_r.append(
                [
                    _e(c.name),
                    _e(fmt(c.name, c.reported)),
                    _e(fmt(c.name, c.simulated.mean)),
                    _e(f"{fmt(c.name, c.simulated.ci95[0])} - {fmt(c.name, c.simulated.ci95[1])}"),
                    _e(
                        f"{fmt(c.name, c.simulated.range95[0])} - "
                        f"{fmt(c.name, c.simulated.range95[1])}"
                    ),
                    f"<span class='{css}'>{_e(c.verdict)}</span>",
                ]
            )
        parts.append(
            _table(
                ["figure", "reported", "simulated", "95% CI", "simulated years", "verdict"],
                rows_r,
                raw=True,
            )
        )
    else:
        parts.append("<p>The scenario gives no reported figures to compare with.</p>")
    rates = check_rates(s.reported, summaries)
    if rates:
        parts.append("<h3>Conversion rates as published and from the counts</h3>")
        parts.append(
            _table(
                ["rate", "published", "from reported counts", "simulated", "note"],
                [
                    [
                        c.name,
                        fmt(c.name, c.published),
                        fmt(c.name, c.from_counts),
                        fmt(c.name, c.simulated.mean) if c.simulated else "-",
                        c.note,
                    ]
                    for c in rates
                ],
            )
        )

    parts.append("<h2 id='figures'>Figures</h2>")
    for name, fig in draw_all(result, s).items():
        parts.append(_figure_html(name, fig))

    parts.append("<h2 id='reproduce'>Reproduce this run</h2>")
    parts.append(
        f"<p>sgsim {__version__}, seed {result.seed}, {result.replications} replications. "
        f"Command:</p><pre>{_e(' '.join(command))}</pre>"
        f"<p>Scenario file ({_e(loaded.path.name)}), as run:</p><pre>{_e(loaded.text)}</pre>"
    )
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)
