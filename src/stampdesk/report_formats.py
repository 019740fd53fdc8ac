"""The owner's report as text, CSV and one self-contained HTML page."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from .services.report import Report
from .words import Book, formats

# The figures, in reading order; their labels are the book's ``report.figure.<key>``.
FIGURES = (
    "members_total",
    "members_new",
    "members_active",
    "checkouts_members",
    "checkouts_walkins",
    "revenue_members",
    "revenue_walkins",
    "refunds",
    "refunded",
    "avg_basket_members",
    "avg_basket_walkins",
    "visits_per_active_member",
    "repeat_rate",
    "stamps_issued",
    "stamps_expired",
    "coupons_issued",
    "coupons_redeemed",
    "redemption_rate",
    "reward_cost",
    "reward_cost_share",
    "rewarded_sales",
    "reward_cost_per_sale",
    "walkin_enrol_rate",
)
RATES = {"repeat_rate", "redemption_rate", "reward_cost_share", "walkin_enrol_rate"}


def value_text(key: str, value: Any, locale: str) -> str:
    """A figure as the owner reads it: money, a percentage, a number."""
    if isinstance(value, Decimal):
        return formats.money(value, locale)
    if key in RATES:
        return formats.percent(value, locale)
    if isinstance(value, float):
        return formats.number(value, locale, digits=2)
    return str(value)


def label(key: str, locale: str) -> str:
    """A figure's name in the owner's language."""
    return Book(locale)(f"report.figure.{key}")


def period_text(report: Report, say: Book) -> str:
    """ "01/03/2026 → 30/03/2026 (30 days)", after the shop's name if one."""
    period = say(
        "report.period", first=report.start, last=report.end, days=say.count("report.days", report.days)
    )
    return period if report.shop is None else say("report.of_shop", shop=report.shop, period=period)


def channel_name(channel: str, say: Book) -> str:
    """How a card came to be, in words ("At the till"); an unknown one by its code."""
    key = f"report.channel.{channel}"
    return say(key) if key in say else channel


def report_text(report: Report, locale: str) -> str:
    """The report as lines of text, in the owner's language."""
    say = Book(locale)
    lines = [period_text(report, say), report.verdict, ""]
    names = {key: say(f"report.figure.{key}") for key in (*FIGURES, "enrolments")}
    width = max(len(name) for name in names.values())
    for key in FIGURES:
        lines.append(f"  {names[key]:<{width}}  {value_text(key, getattr(report, key), locale)}")
    channels = ", ".join(
        say("report.channels", channel=channel_name(k, say), count=v)
        for k, v in report.enrolments_by_channel.items()
    )
    lines.append(f"  {names['enrolments']:<{width}}  {channels}")
    lines += messages_lines(report, say)
    return "\n".join(lines)


def _points(value: float | None, locale: str) -> str:
    return "—" if value is None else formats.number(round(value * 100, 1), locale, digits=1)


def messages_lines(report: Report, say: Book) -> list[str]:
    """The customer e-mails' part of the report: per campaign, who came
    back after an e-mail and without one, the uplift, and the verdict."""
    if not report.messages:
        return []
    lines = ["", messages_title(say)]
    for _name, said in messages_parts(report, say):
        lines += [f"  {said[0]}", *(f"    {line}" for line in said[1:])]
    return lines


def messages_title(say: Book) -> str:
    from .services.messages import CAME_BACK_DAYS

    return say("report.messages.title", days=CAME_BACK_DAYS)


def messages_parts(report: Report, say: Book) -> list[tuple[str, list[str]]]:
    """Each campaign's name and what the report says of it: the counts,
    the uplift (when it can be worked out), the money, the verdict."""
    parts = []
    for kind, f in report.messages.items():
        name = say(f"mail.kind.{kind}")
        said = [
            say(
                "report.messages.line",
                kind=name,
                sent=f.sent,
                held=f.held_out,
                back_sent=f.came_back_sent,
                back_held=f.came_back_held_out,
            )
        ]
        if f.uplift is not None:
            said.append(
                say(
                    "report.messages.uplift",
                    difference=_points(f.uplift, say.locale),
                    low=_points(f.uplift_low, say.locale),
                    high=_points(f.uplift_high, say.locale),
                )
            )
        said.append(
            say(
                "report.messages.money",
                revenue=f.revenue_sent,
                coupons=f.coupons_redeemed_sent,
                revenue_held=f.revenue_held_out,
                coupons_held=f.coupons_redeemed_held_out,
            )
        )
        said.append(f.verdict)
        parts.append((name, said))
    return parts


def _messages_section(report: Report, say: Book) -> str:
    """The HTML report's part on the customer e-mails (none: no section)."""
    if not report.messages:
        return ""
    campaigns = "".join(
        f'<div class="campaign"><h3>{_e(name)}</h3>'
        + "".join(f"<p>{_e(line)}</p>" for line in said[:-1])
        + f'<p class="verdict">{_e(said[-1])}</p></div>'
        for name, said in messages_parts(report, say)
    )
    return f'<section class="keep" id="messages"><h2>{_e(messages_title(say))}</h2>{campaigns}</section>\n'


def report_csv(report: Report) -> str:
    """``figure,value`` rows: money as decimal strings, rates between 0 and 1."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerow(["start", report.start.isoformat()])
    writer.writerow(["end", report.end.isoformat()])
    if report.shop is not None:
        writer.writerow(["shop", report.shop])
    for key in FIGURES:
        writer.writerow([key, str(getattr(report, key))])
    for channel, count in report.enrolments_by_channel.items():
        writer.writerow([f"enrolments_{channel}", count])
    return out.getvalue()


# ---------------------------------------------------------------------------
# The HTML page: tiles, charts drawn here as inline SVG, the retention table.

MEMBERS_COLOUR = "#1d4ed8"
WALKINS_COLOUR = "#ea580c"  # blue and orange stay apart for colour-blind eyes
MUTED_COLOUR = "#6b7280"


def _nb(text: str) -> str:
    """A short figure that must not break across lines ("8,00 €", "50,0 %")."""
    return text.replace(" ", "\u00a0")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _svg(width: int, height: int, label: str, body: str, css_class: str = "chart", id: str = "") -> str:
    """An inline SVG that scales to its box; ``label`` is what a screen reader says."""
    named = f' id="{id}"' if id else ""
    if css_class == "meter":  # drawn at its own size, narrowed only on a narrow screen
        named += f' width="{width}" height="{height}"'
    return (
        f'<svg{named} class="{css_class}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(label)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{_e(label)}</title>{body}</svg>"
    )


def _meter(share: float, text: str, colour: str = MEMBERS_COLOUR) -> str:
    """A 0–100 % bar with its figure beside it."""
    fill = round(200 * min(max(share, 0.0), 1.0), 1)
    body = (
        f'<rect x="0" y="6" width="200" height="16" rx="3" fill="#e5e7eb"/>'
        f'<rect x="0" y="6" width="{fill}" height="16" rx="3" fill="{colour}">'
        f"<title>{_e(text)}</title></rect>"
        f'<text x="210" y="19" class="num">{_e(text)}</text>'
    )
    return _svg(280, 28, text, body, "meter")


def _pair(
    rows: Sequence[tuple[str, Decimal | int, str, str]], label: str, say: Book, width: int = 320
) -> str:
    """Horizontal bars, one a row: (label, value, value as text, colour),
    the label above each bar and the figure at its end."""
    top = max([1.0] + [float(v) for _, v, _, _ in rows])
    room = width - 90  # the figure's place after the longest bar
    parts = []
    for i, (name, value, text, colour) in enumerate(rows):
        y = i * 38
        w = round(room * float(value) / top, 1) if value else 0
        parts.append(
            f'<text x="0" y="{y + 12}" class="lab">{_e(name)}</text>'
            f'<rect x="0" y="{y + 17}" width="{max(w, 1)}" height="16" rx="2" fill="{colour}">'
            f"<title>{_e(say('report.said', name=name, value=text))}</title></rect>"
            f'<text x="{max(w, 1) + 6}" y="{y + 30}" class="num">{_e(text)}</text>'
        )
    return _svg(width, len(rows) * 38, label, "".join(parts))


def _stamps(value: float, text: str) -> str:
    """Visits per member as a row of boxes, like a card's stamps, the last
    one filled in part; the figure beside them."""
    boxes = max(1, min(10, -int(-value // 1)))
    parts = []
    for i in range(boxes):
        filled = min(max(value - i, 0.0), 1.0)
        x = i * 22
        parts.append(
            f'<rect x="{x}" y="4" width="18" height="18" rx="4" fill="none" stroke="{MEMBERS_COLOUR}"/>'
        )
        if filled:
            parts.append(
                f'<rect x="{x}" y="4" width="{round(18 * filled, 1)}" height="18" rx="4" '
                f'fill="{MEMBERS_COLOUR}"/>'
            )
    parts.append(f'<text x="{boxes * 22 + 6}" y="19" class="num">{_e(text)}</text>')
    return _svg(boxes * 22 + 70, 26, text, "".join(parts), "meter")


def _weeks_chart(report: Report, locale: str) -> str:
    """Visits per week, members' and walk-ins' bars side by side, each
    with its count on top, and a legend."""
    say = Book(locale)
    weeks = report.weeks
    width, height, left, base = 400, 200, 8, 160
    count = max(1, len(weeks))
    step = (width - left * 2) / count
    bar = max(1.0, min(28.0, step * 0.38))
    top = max([1] + [max(w.visits_members, w.visits_walkins) for w in weeks])
    every = max(1, -(-count // 8))  # at most 8 day labels under the bars
    label = say("report.weeks")
    parts = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#9ca3af"/>']
    for i, week in enumerate(weeks):
        x = left + i * step + (step - 2 * bar) / 2
        day = week.start.strftime("%d/%m")
        for j, (n, colour, who) in enumerate(
            (
                (week.visits_members, MEMBERS_COLOUR, say("report.members")),
                (week.visits_walkins, WALKINS_COLOUR, say("report.walkins")),
            )
        ):
            h = round((base - 30) * n / top, 1)
            bx = round(x + j * bar, 1)
            visits = say("report.said", name=who, value=say.count("report.visits", n))
            tip = f"{say('report.week_of', day=day)} — {visits}"
            parts.append(
                f'<rect x="{bx}" y="{base - h}" width="{round(bar - 1, 1)}" height="{h}" fill="{colour}">'
                f"<title>{_e(tip)}</title></rect>"
            )
            if bar >= 12:
                parts.append(
                    f'<text x="{round(bx + bar / 2, 1)}" y="{base - h - 4}" class="num" '
                    f'text-anchor="middle">{n}</text>'
                )
        if i % every == 0:
            parts.append(
                f'<text x="{round(left + i * step + step / 2, 1)}" y="{base + 18}" class="lab" '
                f'text-anchor="middle">{_e(day)}</text>'
            )
    legend_y = height - 8
    parts.append(
        f'<rect x="0" y="{legend_y - 10}" width="12" height="12" fill="{MEMBERS_COLOUR}"/>'
        f'<text x="17" y="{legend_y}" class="lab">{_e(say("report.members"))}</text>'
        f'<rect x="120" y="{legend_y - 10}" width="12" height="12" fill="{WALKINS_COLOUR}"/>'
        f'<text x="137" y="{legend_y}" class="lab">{_e(say("report.walkins"))}</text>'
    )
    members = sum(w.visits_members for w in weeks)
    walkins = sum(w.visits_walkins for w in weeks)
    summary = f"{label} — {say('report.members')} {members}, {say('report.walkins')} {walkins}"
    return _svg(width, height, summary, "".join(parts), id="weeks-chart")


def _heat(share: float) -> str:
    """The retention cell's colour: pale for none, deep blue for all."""
    pale, deep = (239, 246, 255), (29, 78, 216)
    share = min(max(share, 0.0), 1.0)
    r, g, b = (round(p + (d - p) * share) for p, d in zip(pale, deep, strict=True))
    ink = "#fff" if share > 0.45 else "#111"
    return f"background:#{r:02x}{g:02x}{b:02x};color:{ink}"


def _month(month: str, locale: str) -> str:
    """ "2026-02" by its name: "février 2026", "February 2026"."""
    return formats.month(date.fromisoformat(f"{month}-01"), locale)


def _cohort_table(report: Report, locale: str) -> str:
    say = Book(locale)
    span = max([1] + [len(c.returned) for c in report.cohorts])
    head = "".join(f'<th scope="col">{_e(say("report.month_after", n=n))}</th>' for n in range(1, span + 1))
    rows = []
    for cohort in report.cohorts:
        cells = []
        for share in cohort.returned:
            if cohort.members:
                text = _nb(value_text("repeat_rate", share, locale))
                cells.append(f'<td style="{_heat(share)}">{_e(text)}</td>')
            else:
                cells.append('<td class="na">—</td>')
        cells += ['<td class="na"></td>'] * (span - len(cohort.returned))
        rows.append(
            f'<tr><th scope="row">{_e(_month(cohort.month, locale))}</th>'
            f"<td>{cohort.members}</td>{''.join(cells)}</tr>"
        )
    return (
        f'<div class="scroll"><table class="heat"><thead><tr><th scope="col">{_e(say("report.month"))}</th>'
        f'<th scope="col">{_e(say("report.members"))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _top_table(report: Report, locale: str) -> str:
    say = Book(locale)
    if not report.top_customers:
        return f"<p>{_e(say('report.nobody'))}</p>"
    rows = "".join(
        f'<tr><td>{rank}</td><th scope="row">{_e(t.name)}</th><td class="card">…{_e(t.card[-4:])}</td>'
        f"<td>{t.visits}</td><td>{_e(_nb(formats.money(t.spend, locale)))}</td></tr>"
        for rank, t in enumerate(report.top_customers, 1)
    )
    return (
        f'<div class="scroll"><table class="top"><thead><tr><th scope="col">#</th>'
        f'<th scope="col">{_e(say("report.name"))}</th><th scope="col">{_e(say("report.card"))}</th>'
        f'<th scope="col">{_e(say("report.visits_column"))}</th>'
        f'<th scope="col">{_e(say("report.spend"))}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _tile(title: str, figure: str, plot: str, detail: str = "") -> str:
    note = f'<p class="detail">{_e(detail)}</p>' if detail else ""
    return f'<div class="tile"><h3>{_e(title)}</h3><p class="figure">{_e(figure)}</p>{plot}{note}</div>'


def _tiles(report: Report, locale: str) -> str:
    say = Book(locale)

    def v(key: str) -> str:
        return _nb(value_text(key, getattr(report, key), locale))

    basket = _pair(
        [
            (say("report.members"), report.avg_basket_members, v("avg_basket_members"), MEMBERS_COLOUR),
            (say("report.walkins"), report.avg_basket_walkins, v("avg_basket_walkins"), WALKINS_COLOUR),
        ],
        f"{say('report.basket')} — {say('report.members')} {v('avg_basket_members')}, "
        f"{say('report.walkins')} {v('avg_basket_walkins')}",
        say,
        width=280,
    )
    visits = formats.number(report.visits_per_active_member, locale, digits=1)
    cost = _nb(formats.money(report.reward_cost, locale))
    revenue = _nb(formats.money(report.revenue_members, locale))
    return "".join(
        (
            _tile(
                say("report.basket"),
                f"{v('avg_basket_members')} / {v('avg_basket_walkins')}",
                basket,
            ),
            _tile(
                say("report.visits_per_member"),
                visits,
                _stamps(report.visits_per_active_member, visits),
                say("report.visits_detail", sales=report.checkouts_members, members=report.members_active),
            ),
            _tile(
                say("report.repeat_rate"),
                v("repeat_rate"),
                _meter(report.repeat_rate, v("repeat_rate")),
                say("report.repeat_detail"),
            ),
            _tile(
                say("report.redemption_rate"),
                v("redemption_rate"),
                _meter(report.redemption_rate, v("redemption_rate")),
                say(
                    "report.redemption_detail", redeemed=report.coupons_redeemed, issued=report.coupons_issued
                ),
            ),
            _tile(
                say("report.reward_cost_share"),
                v("reward_cost_share"),
                _meter(report.reward_cost_share, v("reward_cost_share"), WALKINS_COLOUR),
                say("report.cost_detail", cost=cost, revenue=revenue),
            ),
        )
    )


STYLE = """
:root{color-scheme:light}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:60rem;
padding:1rem;color:#111;background:#fff;line-height:1.4}
h1{font-size:1.5rem;margin:0}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem}
h3{font-size:.9rem;margin:0;color:#374151;font-weight:600}
.period{margin:.2rem 0 1rem;color:#4b5563}
.verdict{font-size:1.25rem;font-weight:650;margin:0 0 1rem;padding:.8rem 1rem;
border-left:.35rem solid #1d4ed8;background:#eff6ff;border-radius:.3rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:.75rem}
.tile{border:1px solid #e5e7eb;border-radius:.5rem;padding:.7rem .8rem;min-width:0}
.figure{font-size:1.5rem;font-weight:700;margin:.1rem 0 .3rem}
.detail{font-size:.85rem;color:#4b5563;margin:.3rem 0 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
figure{margin:0;min-width:0}
figcaption{font-weight:600;margin-bottom:.4rem}
svg{display:block;width:100%;height:auto;max-width:100%}
svg.chart{max-width:34rem}
figure.wide{grid-column:1/-1}
svg.meter{width:auto;max-width:100%;height:auto}
svg text{font-family:inherit;fill:#111}
svg .lab{font-size:12px}
svg .num{font-size:13px;font-weight:700}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem;font-variant-numeric:tabular-nums}
th,td{padding:.35rem .45rem;border-bottom:1px solid #e5e7eb;text-align:right}
th[scope=row],thead th:first-child,.figures th{text-align:left}
.top th[scope=row]{text-align:left;font-weight:600}
.heat td{border:2px solid #fff;text-align:center;min-width:2.8rem}
.heat th{white-space:nowrap}
.heat th,.heat td{padding:.3rem .3rem}
.heat td.na{background:#fff;color:#9ca3af}
.note{font-size:.85rem;color:#4b5563}
.charts{margin-top:1.5rem}
@media (max-width:30rem){.heat{font-size:.8rem}.heat td{min-width:2.3rem}
.heat th,.heat td{padding:.25rem .15rem}}
@page{size:A4;margin:12mm}
@media print{
body{max-width:none;padding:0;font-size:11pt}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.tiles{grid-template-columns:repeat(3,1fr)}
.charts{grid-template-columns:1fr 1fr}
.tile,figure,table,tr,.verdict,section.keep{break-inside:avoid;page-break-inside:avoid}
h2,h3,figcaption{break-after:avoid;page-break-after:avoid}
.scroll{overflow:visible}
}
"""


def report_html(report: Report, locale: str) -> str:
    """One self-contained page: no script, no request, charts as inline SVG;
    readable on a phone, printable."""
    say = Book(locale)
    title = say("report.title") if report.shop is None else say("report.title_of_shop", shop=report.shop)
    period = say(
        "report.period", first=report.start, last=report.end, days=say.count("report.days", report.days)
    )
    figures = "".join(
        f'<tr><th scope="row">{_e(say(f"report.figure.{key}"))}</th>'
        f"<td>{_e(_nb(value_text(key, getattr(report, key), locale)))}</td></tr>"
        for key in FIGURES
    )
    rate = _nb(value_text("redemption_rate", report.redemption_rate, locale))
    coupons = _pair(
        [
            (say("report.issued"), report.coupons_issued, str(report.coupons_issued), MUTED_COLOUR),
            (
                say("report.redeemed"),
                report.coupons_redeemed,
                f"{report.coupons_redeemed} ({rate})",
                MEMBERS_COLOUR,
            ),
        ],
        f"{say('report.coupons')} — {say('report.issued')} {report.coupons_issued}, "
        f"{say('report.redeemed')} {report.coupons_redeemed}",
        say,
    )
    channels = [
        (channel_name(name, say), n, str(n), MEMBERS_COLOUR)
        for name, n in report.enrolments_by_channel.items()
    ]
    enrolments = _pair(
        channels,
        say("report.enrolments")
        + " — "
        + ", ".join(say("report.channels", channel=name, count=n) for name, n, _, _ in channels),
        say,
    )
    claims = say(
        "report.walkin_claims", rate=_nb(value_text("walkin_enrol_rate", report.walkin_enrol_rate, locale))
    )
    return f"""<!doctype html>
<html lang="{say.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} — {_e(period)}</title>
<style>{STYLE}</style></head><body>
<header><h1>{_e(title)}</h1><p class="period">{_e(period)}</p></header>
<p class="verdict" id="verdict">{_e(report.verdict)}</p>
<section class="keep"><h2>{_e(say("report.key_figures"))}</h2>
<div class="tiles">{_tiles(report, locale)}</div></section>
<section><div class="charts">
<figure class="wide"><figcaption>{_e(say("report.weeks"))}</figcaption>{_weeks_chart(report, locale)}</figure>
<figure><figcaption>{_e(say("report.coupons"))}</figcaption>{coupons}</figure>
<figure><figcaption>{_e(say("report.enrolments"))}</figcaption>{enrolments}
<p class="note">{_e(claims)}</p></figure>
</div></section>
<section class="keep"><h2>{_e(say("report.retention"))}</h2>
<p class="note">{_e(say("report.retention_note"))}</p>
{_cohort_table(report, locale)}</section>
<section class="keep"><h2>{_e(say("report.top"))}</h2>
{_top_table(report, locale)}</section>
{_messages_section(report, say)}<section><h2>{_e(say("report.all_figures"))}</h2>
<div class="scroll"><table class="figures">{figures}</table></div></section>
</body></html>
"""
