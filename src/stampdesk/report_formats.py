"""The owner's report as text, CSV and one self-contained HTML page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html import escape
from typing import Any

from .printer.words import money
from .services.report import Report

# (key, French label, English label): the figures, in reading order.
FIGURES = (
    ("members_total", "Membres", "Members"),
    ("members_new", "Nouveaux membres", "New members"),
    ("members_active", "Membres venus", "Members who came"),
    ("checkouts_members", "Ventes aux membres", "Sales to members"),
    ("checkouts_walkins", "Ventes sans carte", "Walk-in sales"),
    ("revenue_members", "Chiffre d'affaires membres", "Members' revenue"),
    ("revenue_walkins", "Chiffre d'affaires sans carte", "Walk-ins' revenue"),
    ("avg_basket_members", "Panier moyen membre", "Members' average basket"),
    ("avg_basket_walkins", "Panier moyen sans carte", "Walk-ins' average basket"),
    ("visits_per_active_member", "Visites par membre venu", "Visits per member who came"),
    ("repeat_rate", "Membres revenus (période précédente)", "Members back (previous period)"),
    ("stamps_issued", "Tampons donnés", "Stamps given"),
    ("stamps_expired", "Tampons expirés", "Stamps lapsed"),
    ("coupons_issued", "Bons émis", "Coupons issued"),
    ("coupons_redeemed", "Bons utilisés", "Coupons redeemed"),
    ("redemption_rate", "Taux d'utilisation", "Redemption rate"),
    ("reward_cost", "Coût des récompenses", "Cost of rewards"),
    ("reward_cost_share", "Coût / CA membres", "Cost / members' revenue"),
    ("walkin_enrol_rate", "Tickets sans carte réclamés", "Walk-in receipts claimed"),
)
RATES = {"repeat_rate", "redemption_rate", "reward_cost_share", "walkin_enrol_rate"}


def _french(locale: str) -> bool:
    return locale.lower().startswith("fr")


def value_text(key: str, value: Any, locale: str) -> str:
    """A figure as the owner reads it: money, a percentage, a number."""
    if isinstance(value, Decimal):
        return money(value, locale)
    if key in RATES:
        text = f"{value * 100:.1f}"
        return (text.replace(".", ",") + " %") if _french(locale) else text + "%"
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if _french(locale) else text
    return str(value)


def _label(row: tuple[str, str, str], locale: str) -> str:
    return row[1] if _french(locale) else row[2]


def report_text(report: Report, locale: str) -> str:
    head = f"{report.start.isoformat()} → {report.end.isoformat()} ({report.days} days)"
    lines = [head, report.verdict, ""]
    width = max(len(_label(row, locale)) for row in FIGURES)
    for row in FIGURES:
        lines.append(
            f"  {_label(row, locale):<{width}}  {value_text(row[0], getattr(report, row[0]), locale)}"
        )
    channels = ", ".join(f"{k} {v}" for k, v in report.enrolments_by_channel.items())
    lines.append(f"  {'Inscriptions' if _french(locale) else 'Enrolments':<{width}}  {channels}")
    return "\n".join(lines)


def report_csv(report: Report) -> str:
    """``figure,value`` rows: money as decimal strings, rates between 0 and 1."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerow(["start", report.start.isoformat()])
    writer.writerow(["end", report.end.isoformat()])
    for key, _, _ in FIGURES:
        writer.writerow([key, str(getattr(report, key))])
    for channel, count in report.enrolments_by_channel.items():
        writer.writerow([f"enrolments_{channel}", count])
    return out.getvalue()


def _bars(weeks: list[tuple[str, int, int]], locale: str) -> str:
    """Visits per week, members and walk-ins side by side, as inline SVG."""
    top = max([1] + [max(m, w) for _, m, w in weeks])
    step, height = 36, 120
    parts = []
    for i, (label, members, walkins) in enumerate(weeks):
        x = 30 + i * step
        for j, (count, colour) in enumerate(((members, "#1d4ed8"), (walkins, "#9ca3af"))):
            h = round(height * count / top)
            parts.append(
                f'<rect x="{x + j * 13}" y="{10 + height - h}" width="12" height="{h}" fill="{colour}">'
                f"<title>{escape(label)}: {count}</title></rect>"
            )
        parts.append(f'<text x="{x}" y="{height + 24}" font-size="9">{escape(label)}</text>')
    width = 40 + step * len(weeks)
    title = "Visites par semaine" if _french(locale) else "Visits per week"
    return (
        f'<svg viewBox="0 0 {width} {height + 30}" role="img" aria-label="{title}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def report_html(report: Report, locale: str) -> str:
    """One self-contained page: no script, no request; readable on a phone, printable."""
    fr = _french(locale)
    rows = "".join(
        f"<tr><th>{escape(_label(row, locale))}</th>"
        f"<td>{escape(value_text(row[0], getattr(report, row[0]), locale))}</td></tr>"
        for row in FIGURES
    )
    weeks = [(w.start.strftime("%d/%m"), w.visits_members, w.visits_walkins) for w in report.weeks]
    cohort_rows = "".join(
        f"<tr><th>{c.month}</th><td>{c.members}</td>"
        + "".join(f"<td>{escape(value_text('repeat_rate', r, locale))}</td>" for r in c.returned)
        + "</tr>"
        for c in report.cohorts
    )
    title = "Le programme de fidélité" if fr else "The loyalty programme"
    span = max([1] + [len(c.returned) for c in report.cohorts])
    return f"""<!doctype html>
<html lang="{"fr" if fr else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — {report.start.isoformat()} → {report.end.isoformat()}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1rem auto;max-width:48rem;padding:0 1rem;color:#111}}
table{{border-collapse:collapse;width:100%;margin:1rem 0}}
th,td{{padding:.3rem .4rem;border-bottom:1px solid #ddd;text-align:left}}
td{{text-align:right}}svg{{width:100%;height:auto}}.verdict{{font-size:1.2rem;font-weight:600}}
@media print{{body{{max-width:none}}}}
</style></head><body>
<h1>{title}</h1>
<p>{report.start.isoformat()} → {report.end.isoformat()}</p>
<p class="verdict">{escape(report.verdict)}</p>
{_bars(weeks, locale)}
<table>{rows}</table>
<h2>{"Fidélisation par mois d'inscription" if fr else "Retention by month of enrolment"}</h2>
<table><tr><th>{"Mois" if fr else "Month"}</th><th>{"Membres" if fr else "Members"}</th>
<th colspan="{span}">{"Revenus les mois suivants" if fr else "Back in the following months"}</th></tr>
{cohort_rows}</table>
</body></html>
"""
