"""The handoff as a PDF file, made in-process with fpdf2 (pure Python, no system packages).

Why a PDF as well as the printable page: when the system is about to go down, or
a ward has no printer attached to the browser, the handoff must exist as a file
that can be saved, mailed within the hospital or printed anywhere. fpdf2 needs
nothing outside pip; the Noto Sans font shipped beside this module
(`fonts/`, SIL OFL) is embedded so that every patient name prints as written.

Layout: A4 landscape, one table row per patient (bed order), headings repeated on
every page, the ward, the time made (ward local time) and "page N of M" on every
page, and the decision-support disclaimer. Words, never colour alone: the action
is printed as a word ("EMERGENCY", "Hold", "Give 0.5 mg").
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from owm.clinical.findings import mg_text
from owm.service.handoff import HandoffPatient, HandoffReport
from owm.web.templating import ward_datetime, ward_time

__all__ = ["ACTION_WORDS", "FONT_DIR", "handoff_pdf"]

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "NotoSans"

ACTION_WORDS: dict[str, str] = {
    "emergency": "EMERGENCY",
    "contraindicated": "Contraindicated",
    "hold": "Hold",
    "escalate": "Physician review",
    "not-indicated": "Not indicated",
    "give": "Give",
}
"""The action as printed (the same words as the screens)."""

DISCLAIMER = (
    "Decision support for licensed clinicians. owm never doses by itself: "
    "a clinician decides and acts."
)


def _mg(value: Decimal | None) -> str:
    return "–" if value is None else f"{mg_text(value)} mg"


class _HandoffPdf(FPDF):
    def __init__(self, report: HandoffReport) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.report = report
        self.tz = report.ward.timezone
        self.add_font(FAMILY, "", str(FONT_DIR / "NotoSans-Regular.ttf"))
        self.add_font(FAMILY, "B", str(FONT_DIR / "NotoSans-Bold.ttf"))
        self.set_margins(10, 10, 10)
        # Rows break pages themselves (`_row`); the margin sets where a page ends.
        self.set_auto_page_break(auto=False, margin=14)
        self.rows_top = 0.0
        self.set_title(f"Handoff: {report.ward.name}, {ward_datetime(report.at, self.tz)}")
        self.set_author("owm")
        self.set_creator("owm")
        self.set_creation_date(report.at)
        self.set_lang("en")

    def header(self) -> None:
        self.set_font(FAMILY, "B", 13)
        self.cell(
            0,
            7,
            f"Shift handoff: {self.report.ward.name}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_font(FAMILY, "", 9)
        overdue = self.report.overdue_count
        contact = self.report.ward.contact
        self.cell(
            0,
            5,
            f"Made {ward_datetime(self.report.at, self.tz)} ward time ({self.tz}, 24-hour clock) · "
            f"{len(self.report.patients)} patients · {overdue} overdue task"
            f"{'' if overdue == 1 else 's'}" + (f" · Ward contact: {contact}" if contact else ""),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7.5)
        self.cell(0, 4, DISCLAIMER, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(
            0,
            4,
            f"owm handoff · {self.report.ward.name} · page {self.page_no()} of {{nb}}",
            align="R",
        )


def _patient_cell(p: HandoffPatient, nurse: str | None) -> str:
    lines = [p.name, f"MRN {p.mrn}"]
    if p.age_years is not None:
        lines.append(f"{p.age_years} years")
    lines.append(f"Course day {p.course_day}")
    lines.append(f"Nurse: {nurse}" if nurse else "Nurse: nobody assigned")
    if p.allergies:
        lines.append("Allergies: " + ", ".join(p.allergies))
    if p.conditions:
        lines.append("Conditions: " + ", ".join(c.replace("-", " ") for c in p.conditions))
    lines.append(f"First-line offer: {p.first_line_choice}")
    return "\n".join(lines)


def _status_cell(p: HandoffPatient, tz: str) -> str:
    lines = []
    if p.withdrawal_score is not None:
        band = (p.withdrawal_band or "").replace("-", " ")
        lines.append(
            f"{p.withdrawal_instrument} {p.withdrawal_score} {band} at {ward_time(p.withdrawal_at, tz)}"
        )
    else:
        lines.append("No withdrawal score")
    if p.news2_score is not None:
        lines.append(f"NEWS2 {p.news2_score} ({p.news2_response})")
    else:
        lines.append("NEWS2: no complete set")
    lines.append(
        f"Sedation {p.sedation} at {ward_time(p.sedation_at, tz)}"
        if p.sedation
        else "No sedation score"
    )
    if p.active_medications:
        lines.append("Medicines: " + ", ".join(p.active_medications))
    return "\n".join(lines)


def _recommendation_cell(p: HandoffPatient, tz: str) -> str:
    action = ACTION_WORDS.get(p.action, p.action)
    if p.action == "give" and p.dose_mg is not None:
        action = f"{action} {_mg(p.dose_mg)}"
    lines = [action]
    if p.last_dose_at is not None:
        lines.append(f"Last dose {_mg(p.last_dose_mg)} at {ward_datetime(p.last_dose_at, tz)}")
    else:
        lines.append("No clonazepam given")
    left = f"; left: {_mg(p.remaining_24h_mg)}" if p.remaining_24h_mg is not None else ""
    lines.append(f"Given in 24 h: {_mg(p.given_24h_mg)}{left}")
    if p.next_dose_not_before is not None and p.action != "give":
        lines.append(f"Next dose not before {ward_datetime(p.next_dose_not_before, tz)}")
    return "\n".join(lines)


def _alerts_cell(p: HandoffPatient) -> str:
    if not p.alerts:
        return "None"
    return "\n".join(
        f"{a.severity.upper()}{' (acknowledged)' if a.acknowledged else ''}: {a.message}"
        for a in p.alerts
    )


def _tasks_cell(p: HandoffPatient, tz: str) -> str:
    if not p.tasks:
        return "Nothing outstanding"
    lines = []
    for task in p.tasks:
        when = (
            f" {'OVERDUE since' if task.overdue else 'due'} {ward_time(task.due, tz)}"
            if task.due
            else ""
        )
        mark = "[ ] "
        lines.append(f"{mark}{task.text}{when}")
    return "\n".join(lines)


COLUMNS: tuple[tuple[str, float], ...] = (
    ("Bed", 12),
    ("Patient", 52),
    ("Status now", 55),
    ("Clonazepam", 52),
    ("Alerts", 58),
    ("Outstanding tasks", 48),
)
"""Column headings and widths in mm (A4 landscape less the margins: 277 mm)."""

LINE_MM = 3.8
PAD_MM = 1.2


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` broken into lines that fit `width` mm in the current font (words kept
    whole unless one word alone is too wide). A simple greedy wrap: fpdf2's
    `multi_cell` does the same far more slowly, and a ward of 200 patients must
    print in a moment."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if pdf.get_string_width(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while pdf.get_string_width(word) > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _row(pdf: _HandoffPdf, cells: list[list[str]], *, heading: bool = False) -> None:
    """One table row: every cell's lines and borders. A row that does not fit on this
    page starts a new one (with the headings); a row taller than a whole page goes on
    over the next pages, never off the paper."""
    while True:
        room = int((pdf.page_break_trigger - pdf.get_y() - 2 * PAD_MM) // LINE_MM)
        lines = max(len(c) for c in cells)
        if not heading and lines > room and pdf.get_y() > pdf.rows_top + 0.01:
            pdf.add_page()
            _headings(pdf)
            continue
        shown = [c[:room] for c in cells] if lines > room else cells
        _draw(pdf, shown, heading=heading)
        rest = [c[room:] for c in cells] if lines > room else []
        if not any(rest):
            return
        cells = [c or [""] for c in rest]
        pdf.add_page()
        _headings(pdf)


def _draw(pdf: _HandoffPdf, cells: list[list[str]], *, heading: bool) -> None:
    height = max(len(lines) for lines in cells) * LINE_MM + 2 * PAD_MM
    x0, y0 = pdf.l_margin, pdf.get_y()
    x = x0
    for (_, width), lines in zip(COLUMNS, cells, strict=True):
        if heading:
            pdf.set_fill_color(230, 230, 230)
            pdf.rect(x, y0, width, height, style="DF")
        else:
            pdf.rect(x, y0, width, height)
        for i, line in enumerate(lines):
            pdf.set_xy(x + PAD_MM, y0 + PAD_MM + i * LINE_MM)
            pdf.cell(width - 2 * PAD_MM, LINE_MM, line)
        x += width
    pdf.set_xy(x0, y0 + height)


def _headings(pdf: _HandoffPdf) -> None:
    pdf.set_font(FAMILY, "B", 8)
    _row(pdf, [[name] for name, _ in COLUMNS], heading=True)
    pdf.set_font(FAMILY, "", 8)
    pdf.rows_top = pdf.get_y()


def handoff_pdf(report: HandoffReport, nurses: Mapping[int, str] | None = None) -> bytes:
    """The handoff as PDF bytes (`%PDF-...`); `nurses` names the nurse looking after each
    episode (by episode id), as the handoff page does."""
    nurses = nurses or {}
    pdf = _HandoffPdf(report)
    pdf.alias_nb_pages()
    pdf.add_page()
    tz = report.ward.timezone
    if not report.patients:
        pdf.set_font(FAMILY, "", 11)
        pdf.cell(0, 8, "No patients on the ward.")
        return bytes(pdf.output())
    _headings(pdf)
    inner = [width - 2 * PAD_MM for _, width in COLUMNS]
    for p in report.patients:
        texts = (
            p.bed or "–",
            _patient_cell(p, nurses.get(p.episode_id)),
            _status_cell(p, tz),
            _recommendation_cell(p, tz),
            _alerts_cell(p),
            _tasks_cell(p, tz),
        )
        _row(pdf, [_wrap(pdf, text, width) for text, width in zip(texts, inner, strict=True)])
    return bytes(pdf.output())
