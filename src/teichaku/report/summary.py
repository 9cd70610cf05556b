"""The paper-ready summary: a Jinja2 template filled from results/numbers.json and the
configuration, rendered to Markdown, then to one self-contained HTML file and a PDF.

- Markdown: ``summary.<language>.md.j2`` with StrictUndefined, so a missing number is an
  error, never an empty gap. Figures are referenced by relative path, tables inlined. The
  template names no table or figure: at each section's place it asks
  ``report.place(<section>, ...)`` for the items config/report.yaml puts there
  (:class:`Placement`), and a section with items that the template does not place stops the
  summary (nothing of the report is silently left out).
  Escaped: every text filled in (labels, file labels, messages) goes through
  :func:`escape_markup`, so nothing from a file, a cell or a model label can open an HTML
  tag; only the template's own markup (the banner and provenance blocks) is HTML. The
  tables come escaped by their writer, numbers from :func:`fmt_number`.
- HTML: markdown-it (CommonMark + tables); images become data URIs, the CSS is inlined and
  the Japanese font embedded (the subset of the characters it shows,
  :mod:`teichaku.report.webfont`), so the file needs nothing else and looks the same
  everywhere. Tables are laid out by :mod:`teichaku.report.layout`.
- PDF: weasyprint from the same HTML, with IPAexGothic (shipped in matplotlib-fontja) as an
  @font-face so Japanese text is embedded. The subset font's timestamp follows
  SOURCE_DATE_EPOCH, which is fixed while writing: the PDF is byte-reproducible.
"""

from __future__ import annotations

import base64
import html
import logging
import mimetypes
import os
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from teichaku.report.fonts import fixed_source_date, font_path
from teichaku.report.indents import indent_plugin
from teichaku.report.layout import lay_out_tables
from teichaku.report.webfont import font_face_css
from teichaku.report.wording import describe_subset, in_sentence, join_words, quoted
from teichaku.survey import fiscal_years_ja

PDF_FONT_FAMILY = "IPAexGothic"

#: The report words (labels.yaml ``text``) a table header may end in after a group's label
#: ("FY2019 ended n"): the summary prints such columns under one spanning group header.
STATISTIC_HEADERS = ("count", "valid_n", "percent", "share", "computed", "mean")


# --------------------------------------------------------------------------- formatting


#: What could open an HTML tag, a comment or a declaration once the Markdown is rendered.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def escape_markup(value) -> str:
    """Text as it may go into the Markdown: every ``<`` that could open a tag, comment or
    declaration written as ``&lt;`` (shown as ``<`` once rendered). A ``<`` before a digit or
    a space (``<5``, ``p < 0.001``) opens nothing and stays, so the Markdown stays readable.
    Text marked safe (``Markup``: the template's own numbers and escaped tables) is kept."""
    if isinstance(value, Markup):
        return value
    return _TAG_OPEN.sub("&lt;", str(value))


def _finalize(value):
    """Every ``{{ ... }}`` of the template: escaped unless marked safe."""
    if value is None or isinstance(value, jinja2.Undefined):
        return value
    return Markup(escape_markup(value))


def _suppressed(value) -> bool:
    """A number published as the suppression marker (``<5``) in results/numbers.json."""
    return isinstance(value, str) and re.fullmatch(r"<\d+", value) is not None


def fmt_number(value, digits: int = 0) -> Markup:
    """Thousands separators and fixed decimals: 2783 -> 2,783; (56.712, 2) -> 56.71. A
    suppressed number stays the marker (``<5``)."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined: raises UndefinedError naming the missing key
    if _suppressed(value):
        return Markup(value)
    if isinstance(value, Decimal):
        value = float(value)
    if value is None:
        raise ValueError("a number of the summary is missing (None)")
    return Markup(f"{value:,.{digits}f}")


def fmt_p(value) -> Markup:
    """A p-value with its relation sign: "< 0.001" or "= 0.042" (write "p {{ x | p }}")."""
    if isinstance(value, jinja2.Undefined):
        str(value)
    return Markup("< 0.001" if value < 0.001 else f"= {value:.3f}")


def make_environment(template_dir: str | Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        # The Markdown becomes HTML: every filled-in text is escaped by _finalize (HTML
        # autoescaping would also turn quotes inside code spans into visible entities).
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = fmt_number
    env.filters["p"] = fmt_p
    return env


def render_markdown(template_dir: str | Path, language: str, context: dict) -> str:
    """Fill ``summary.<language>.md.j2``; any undefined name raises."""
    template = make_environment(template_dir).get_template(f"summary.{language}.md.j2")
    return template.render(**context)


# --------------------------------------------------------------------------- HTML


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def markdown_to_html_body(markdown: str, base_dir: str | Path) -> str:
    """Markdown to an HTML fragment; every image is embedded as a data URI, and a table cell
    indented with full-width spaces keeps its level as a class (:mod:`teichaku.report.indents`).

    ``base_dir`` is where the Markdown file lives (image paths are relative to it).
    """
    md = MarkdownIt("commonmark", {"html": True}).enable("table").use(indent_plugin)
    base = Path(base_dir)

    def image(renderer, tokens, idx, options, env):
        token = tokens[idx]
        src = token.attrGet("src") or ""
        if not src.startswith("data:"):
            path = (base / src).resolve()
            if not path.is_file():
                raise FileNotFoundError(f"summary image not found: {src} ({path})")
            src = _data_uri(path)
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        return f'<img src="{src}" alt="{html.escape(alt)}">'

    md.add_render_rule("image", image)
    return md.render(markdown)


def html_document(body: str, title: str, css: str, language: str, extra_css: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{extra_css}{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def pdf_font_css(path: Path | None = None) -> str:
    """@font-face for the PDF: the TTF file inside matplotlib-fontja, found at run time.

    Code spans and the page numbers use it too, so the PDF embeds no font that depends on
    the machine."""
    font = (path or font_path()).resolve()
    return (
        f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; src: url("{font.as_uri()}"); }}\n'
        f'html, body, code {{ font-family: "{PDF_FONT_FAMILY}", sans-serif; }}\n'
        f'@page {{ @bottom-center {{ font-family: "{PDF_FONT_FAMILY}"; }} }}\n'
    )


def html_to_pdf(document: str) -> bytes:
    """Render the HTML document to PDF bytes, reproducibly."""
    with warnings.catch_warnings():  # its notice that HarfBuzz-Subset is not installed
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint  # slow to import; only the PDF needs it

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    with fixed_source_date():
        return weasyprint.HTML(string=document, base_url=None).write_pdf()


def write_summary(
    markdown: str,
    out_md: Path,
    out_html: Path,
    out_pdf: Path,
    title: str,
    css: str,
    language: str,
    statistics: tuple[str, ...] = (),
) -> None:
    """Write summary.md, the self-contained summary.html and summary.pdf; ``statistics``
    are the header words grouped under a spanning header (:mod:`teichaku.report.layout`)."""
    out_md.parent.mkdir(parents=True, exist_ok=True)
    out_md.write_text(markdown, encoding="utf-8", newline="\n")
    body = lay_out_tables(markdown_to_html_body(markdown, out_md.parent), statistics, font_path())
    # the HTML embeds the characters it shows of the PDF's font (teichaku.report.webfont)
    font = font_face_css(f"<title>{html.escape(title)}</title>{body}")
    out_html.write_text(
        html_document(body, title, css, language, extra_css=font), encoding="utf-8", newline="\n"
    )
    out_pdf.write_bytes(
        html_to_pdf(html_document(body, title, css, language, extra_css=pdf_font_css()))
    )


# --------------------------------------------------------------------------- context


def _as_plain(value):
    """Published numbers (Decimal, as printed) as floats/ints for the template."""
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def methods_facts(config: dict, spec, labels, privacy, coefficients) -> dict:
    """What the methods section says, all taken from the configuration and specification."""
    cb = labels.codebook
    reason = cb.variable("cases", "end_reason")
    analysis = config.get("analysis", {})
    fitted = set(coefficients["model"])
    models = []
    from teichaku.analysis.terms import term_label

    lang = labels.language
    for m in spec.models:
        terms = coefficients.loc[coefficients["model"] == m.name, f"label_{lang}"]
        if terms.empty:  # not fitted: the covariates of its formula
            terms = [term_label(t.strip(), spec, cb, lang) for t in m.formula.split("+")]
        terms = list(dict.fromkeys(terms))
        label = getattr(m, f"label_{lang}")
        models.append(
            {
                "name": m.name,
                "label": label,
                "label_in_sentence": in_sentence(label, lang),
                "role": m.role,
                "type": m.type,
                "scale": m.scale,
                "event": m.event,
                "outcome": m.outcome,
                "cluster": in_sentence(labels.var("cases", m.cluster), lang) if m.cluster else None,
                # the sample in words of the codebook, never the query of models.yaml
                "subset": describe_subset(m.where, cb, lang) if m.where else None,
                "missing": m.missing,
                "fitted": m.name in fitted,
                "terms": terms,
                "terms_in_words": join_words([quoted(t, lang) for t in terms], lang),
            }
        )
    label_column = f"label_{labels.language}"
    cohort = cb.variable("cases", "cohort")
    ended_years = [start.year for start, _ in cb.fiscal_years.values()]
    return {
        # the round (teichaku.survey): its year, centers asked and cohorts
        "round": cb.survey["period_start"].year,
        "n_centers_asked": cb.variable("roster", "center_id").max,
        "ended_fiscal_years_ja": fiscal_years_ja(ended_years, cb.eras),
        "cohorts_ja": "・".join(lv.ja for lv in cohort.levels),
        "cohorts_en": ", ".join(lv.en for lv in cohort.levels),
        "term_labels": dict(zip(coefficients["term"], coefficients[label_column], strict=True)),
        "barrier_terms": [v.name for v in labels.group_items("cases", "barrier")],
        "reference_date": cb.survey["reference_date"].isoformat(),
        "period_start": cb.survey["period_start"].isoformat(),
        "period_end": cb.survey["period_end"].isoformat(),
        "thresholds": list(analysis.get("thresholds", [])),
        "confidence_pct": round(100 * float(analysis.get("confidence", 0.95))),
        "transition": [reason.level_label(c, labels.language) for c in spec.transition],
        "competing": [reason.level_label(c, labels.language) for c in spec.competing],
        # the same, quoted and joined for running text (「…」・「…」; “…” or “…”)
        "transition_in_words": join_words(
            [quoted(reason.level_label(c, lang), lang) for c in spec.transition], lang, "or"
        ),
        "competing_in_words": join_words(
            [quoted(reason.level_label(c, lang), lang) for c in spec.competing], lang
        ),
        "models": models,
        "primary": next(m for m in models if m["role"] == "primary"),
        "min_cell": privacy.min_cell,
        "marker": privacy.marker,
    }


def simulation_section(path: str | Path | None, summary_dir: Path) -> str | None:
    """The simulation study's Markdown section (results/simulation/summary.md), one heading
    level down and with its image links made relative to the summary; None when the study
    has not been run."""
    if path is None or not Path(path).is_file():
        return None
    source = Path(path)
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M)

    def relink(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("/"):
            return match.group(0)
        rel = os.path.relpath(source.parent / target, summary_dir)
        return f"{match.group(1)}({Path(rel).as_posix()})"

    return re.sub(r"(!\[[^\]]*\])\(([^)\s]+)\)", relink, text).strip()


def _term_in_words(term: str, methods: dict, labels) -> str:
    """A coefficient's label as in the tables, or (a check's own term) from labels.yaml."""
    if term in methods["term_labels"]:
        return methods["term_labels"][term]
    return labels.entry("summary_terms", term)


def checks_in_words(numbers: dict, methods: dict, labels) -> list[dict]:
    """The model checks not passed (numbers.json ``diagnostics.not_ok``) of the reported
    models, in words: the model's label, what was checked (labels.yaml ``summary_checks``),
    the term's label and the status (``summary_status``)."""
    lang = labels.language
    out = []
    for d in numbers["diagnostics"]["not_ok"]:
        model = numbers["models"][d["model"]]
        if model["reported"] == "not_reported":
            continue
        out.append(
            {
                "model": model[f"label_{lang}"],
                "check": labels.entry("summary_checks", d["check"]),
                "term": _term_in_words(d["term"], methods, labels) if d["term"] else None,
                "status": labels.entry("summary_status", d["status"]),
            }
        )
    return out


def table_block(markdown: str) -> Markup:
    """A table file's Markdown (title, table, notes) in a ``table-block`` div: one unit of
    layout (a landscape page takes the title and notes with the table)."""
    return Markup(f'<div class="table-block">\n\n{markdown.rstrip()}\n\n</div>')


def figure_block(caption: str, src: str) -> Markup:
    """A figure: the image (its caption as alternative text), then the caption."""
    text = escape_markup(caption)
    return Markup(f"![{text}]({escape_markup(src)})\n\n{text}")


class SummaryPlacementError(ValueError):
    """The template leaves out a section of config/report.yaml that holds tables or figures,
    or places one twice."""


@dataclass(frozen=True)
class Placed:
    """A table or figure of the report as the summary shows it."""

    kind: str  # table | figure
    name: str
    builder: str
    section: str
    markdown: Markup


class Placement:
    """The tables and figures of config/report.yaml by section, for the template.

    ``place(*sections)``: the Markdown of every table of those sections, then of every
    figure, each in the order of report.yaml (report.yaml lists tables and figures apart;
    a section shows its tables first, as the default report does). ``name in report``: a
    table or figure is in the report (a sentence citing it is written only then);
    ``builders(section)``: what makes the items of a section (sentences about them).
    :meth:`check` after rendering: every section holding items was placed once."""

    def __init__(self, spec, tables: dict[str, Markup], figures: dict[str, dict]):
        self.sections = tuple(spec.sections)
        self.items = [
            *(Placed("table", t.name, t.builder, t.section, tables[t.name]) for t in spec.tables),
            *(
                Placed(
                    "figure",
                    f.name,
                    f.builder,
                    f.section,
                    figure_block(figures[f.name]["caption"], figures[f.name]["src"]),
                )
                for f in spec.figures
            ),
        ]
        self.placed: list[str] = []

    def __contains__(self, name: str) -> bool:
        return any(item.name == name for item in self.items)

    def of(self, *sections: str) -> list[Placed]:
        """The items of ``sections``: tables, then figures, in the order of report.yaml."""
        return [item for item in self.items if item.section in sections]

    def builders(self, section: str) -> list[str]:
        """The builders of the items of ``section`` (each once, in order)."""
        return list(dict.fromkeys(item.builder for item in self.of(section)))

    def place(self, *sections: str) -> Markup:
        """The Markdown of the items of ``sections``, each followed by a blank line (nothing
        when they have none)."""
        for section in sections:
            if section in self.placed:
                raise SummaryPlacementError(
                    f"the summary template places section {section!r} twice"
                )
            self.placed.append(section)
        return Markup("".join(f"{item.markdown}\n\n" for item in self.of(*sections)))

    def check(self, template: str) -> None:
        """Every section with tables or figures was placed by ``template``."""
        left = [s for s in self.sections if s not in self.placed and self.of(s)]
        if left:
            lost = "; ".join(f"{s}: {', '.join(item.name for item in self.of(s))}" for s in left)
            raise SummaryPlacementError(
                f"config/report.yaml puts tables or figures in a section that {template} does "
                f"not show ({lost}); the template places the sections "
                f"{', '.join(self.placed)}: move the items to one of them, or give the "
                "section its place in the template (report.place(...))"
            )


def build_context(
    *,
    numbers: dict,
    published: dict,
    methods: dict,
    tables: dict[str, str],
    figures: dict[str, dict],
    provenance: dict,
    synthetic: bool,
    labels,
    report,
    simulation: str | None = None,
) -> dict:
    """Everything the template may use. Numbers come from results/numbers.json
    (``numbers``: the computed published figures, follow-up, models, validation), the
    published YAML and the configuration; the tables and figures of ``report`` (the
    :class:`~teichaku.report.spec.ReportSpec`) are placed by section (:class:`Placement`)."""
    return {
        "numbers": numbers,
        "checks": checks_in_words(numbers, methods, labels),
        "published": _as_plain(published),
        "methods": methods,
        # tables written by teichaku.report.tables.to_markdown, which escapes every cell;
        # each in a block that the HTML and PDF lay out as one (teichaku.report.layout)
        "report": Placement(
            report, {name: table_block(text) for name, text in tables.items()}, figures
        ),
        "provenance": provenance,
        "synthetic": synthetic,
        # Markdown of the simulation report: its text is escaped, its Markdown kept
        "simulation": Markup(escape_markup(simulation)) if simulation else None,
        "language": labels.language,
    }


def figure_entries(
    figure_pngs: dict[str, Path], summary_dir: Path, labels, report
) -> dict[str, dict]:
    """name -> {src: path relative to the summary, caption: the figure's title in
    report.yaml, else in labels.yaml}."""
    from teichaku.report.labels import item_title

    return {
        name: {
            "src": Path(os.path.relpath(png, summary_dir)).as_posix(),
            "caption": item_title(report.figure(name), labels, "figures"),
        }
        for name, png in figure_pngs.items()
    }


def make_summary(
    *,
    template_dir: Path,
    css_path: Path,
    out_md: Path,
    out_html: Path,
    out_pdf: Path,
    table_markdown: dict[str, Path],
    figure_pngs: dict[str, Path],
    labels,
    report,
    title_key: str = "summary_title",
    simulation_md: Path | None = None,
    **context,
) -> None:
    """Fill the template and write summary.md, .html and .pdf.

    ``report`` is the :class:`~teichaku.report.spec.ReportSpec` whose tables
    (``table_markdown``: name -> its .md file) and figures (``figure_pngs``) the summary
    places; ``context`` holds numbers, published, methods, provenance and synthetic
    (see :func:`build_context`).
    """
    tables = {name: Path(p).read_text(encoding="utf-8") for name, p in table_markdown.items()}
    figures = figure_entries(figure_pngs, out_md.parent, labels, report)
    context = build_context(
        tables=tables,
        figures=figures,
        labels=labels,
        report=report,
        simulation=simulation_section(simulation_md, out_md.parent),
        **context,
    )
    markdown = render_markdown(template_dir, labels.language, context)
    context["report"].check(f"summary.{labels.language}.md.j2")
    write_summary(
        markdown,
        out_md,
        out_html,
        out_pdf,
        labels.text(title_key),
        Path(css_path).read_text(encoding="utf-8"),
        labels.language,
        tuple(labels.text(key) for key in STATISTIC_HEADERS),
    )
