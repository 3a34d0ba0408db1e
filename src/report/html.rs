//! A small builder for self-contained HTML pages: a title, sections of paragraphs, notes,
//! tables and figures with inline SVG, and one short CSS block. No JavaScript and no external
//! resources, so a page reads the same offline, in a mail attachment or printed.
//!
//! All text passed in is escaped; only figure SVG (from [`crate::report::charts`]) is trusted
//! markup.
//!
//! ```
//! use leadsim::report::html::{Page, Section, Table};
//! let mut page = Page::new("Report");
//! page.push(Section::new("scores", "Scores").table(
//!     Table::new(&["band", "rows"]).row(vec!["A".into(), "10".into()]),
//! ));
//! let html = page.render();
//! assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<td class=\"num\">10</td>"));
//! ```

use std::fmt::Write;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
body{margin:0;background:#fff;color:#1f1f1f;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 32px 48px}
h1{font-size:27px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #1f1f1f}
.subtitle{color:#555;margin:0 0 14px}
nav{font-size:14px;padding:8px 0;border-top:1px solid #ddd;border-bottom:1px solid #ddd}
nav a{color:#1f1f1f;margin-right:14px}
p{max-width:80ch}
.note{max-width:none;border-left:4px solid #1f1f1f;background:#f2f2f2;padding:8px 12px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px;margin:12px 0}
figure{margin:0;padding:8px;border:1px solid #ddd;break-inside:avoid}
figure.wide{grid-column:1/-1}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{font-size:13px;color:#444;margin-top:6px}
table{border-collapse:collapse;margin:10px 0 18px;font-size:14px;font-variant-numeric:tabular-nums;break-inside:avoid}
caption{text-align:left;font-weight:600;padding-bottom:4px}
th,td{padding:3px 12px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{border-bottom:2px solid #1f1f1f}
.num{text-align:right}
tbody tr:nth-child(even){background:#f6f6f6}
code{font-size:13px;word-break:break-all}
footer{margin-top:40px;color:#666;font-size:13px}
@media print{main{max-width:none;padding:0}nav{display:none}}
";

/// A whole page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    title: String,
    subtitle: Option<String>,
    sections: Vec<Section>,
    footer: Option<String>,
}

impl Page {
    /// An empty page with this title (also the document title).
    pub fn new(title: impl Into<String>) -> Self {
        Page {
            title: title.into(),
            ..Default::default()
        }
    }

    /// A line under the title.
    pub fn subtitle(mut self, text: impl Into<String>) -> Self {
        self.subtitle = Some(text.into());
        self
    }

    /// A line at the bottom of the page.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer = Some(text.into());
        self
    }

    /// Appends a section; sections are listed in a contents bar under the title.
    pub fn push(&mut self, section: Section) {
        self.sections.push(section);
    }

    /// The page as one HTML document.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n<header>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        if let Some(s) = &self.subtitle {
            let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(s));
        }
        out.push_str("<nav>");
        for s in &self.sections {
            let _ = write!(
                out,
                "<a href=\"#{}\">{}</a>",
                escape(&s.id),
                escape(&s.heading)
            );
        }
        out.push_str("</nav>\n</header>\n");
        for s in &self.sections {
            s.render(&mut out);
        }
        if let Some(f) = &self.footer {
            let _ = writeln!(out, "<footer>{}</footer>", escape(f));
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// A titled part of a page: blocks in order.
#[derive(Debug, Clone)]
pub struct Section {
    id: String,
    heading: String,
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
enum Block {
    Paragraph(String),
    Note(String),
    List(Vec<String>),
    Table(Table),
    Figures(Vec<Figure>),
}

impl Section {
    /// An empty section; `id` is its anchor (`#id`), so use letters, digits and dashes.
    pub fn new(id: impl Into<String>, heading: impl Into<String>) -> Self {
        Section {
            id: id.into(),
            heading: heading.into(),
            blocks: Vec::new(),
        }
    }

    /// A paragraph of plain text.
    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// A paragraph set apart, for caveats and warnings.
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Note(text.into()));
        self
    }

    /// A bulleted list; nothing when `items` is empty.
    pub fn list(mut self, items: Vec<String>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
        self
    }

    /// A table.
    pub fn table(mut self, table: Table) -> Self {
        self.blocks.push(Block::Table(table));
        self
    }

    /// Figures laid out in a grid (two per row on a wide screen).
    pub fn figures(mut self, figures: Vec<Figure>) -> Self {
        self.blocks.push(Block::Figures(figures));
        self
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            escape(&self.id),
            escape(&self.heading)
        );
        for block in &self.blocks {
            match block {
                Block::Paragraph(t) => {
                    let _ = writeln!(out, "<p>{}</p>", escape(t));
                }
                Block::Note(t) => {
                    let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(t));
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for i in items {
                        let _ = writeln!(out, "<li>{}</li>", escape(i));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table(t) => t.render(out),
                Block::Figures(figures) => {
                    out.push_str("<div class=\"figures\">\n");
                    for f in figures {
                        f.render(out);
                    }
                    out.push_str("</div>\n");
                }
            }
        }
        out.push_str("</section>\n");
    }
}

/// A chart with a caption. The SVG is embedded as it is, minus its `xmlns` attribute (inline
/// SVG in HTML needs none), labelled for screen readers by the caption.
#[derive(Debug, Clone)]
pub struct Figure {
    id: String,
    svg: String,
    caption: String,
    wide: bool,
}

impl Figure {
    /// A figure with anchor `id`, trusted `svg` markup and a plain-text caption.
    pub fn new(id: impl Into<String>, svg: String, caption: impl Into<String>) -> Self {
        Figure {
            id: id.into(),
            svg,
            caption: caption.into(),
            wide: false,
        }
    }

    /// The figure takes a whole row of the grid.
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }

    fn render(&self, out: &mut String) {
        let class = if self.wide { " class=\"wide\"" } else { "" };
        let caption = escape(&self.caption);
        let svg = self
            .svg
            .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
            .replacen(
                "<svg",
                &format!("<svg role=\"img\" aria-label=\"{caption}\""),
                1,
            );
        let _ = writeln!(
            out,
            "<figure id=\"{}\"{class}>\n{}\n<figcaption>{caption}</figcaption>\n</figure>",
            escape(&self.id),
            svg.trim_end()
        );
    }
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    /// For numbers, so digits line up.
    Right,
}

/// A table of text cells. The first column is left-aligned, the others right-aligned, unless
/// set otherwise with [`Table::align`].
#[derive(Debug, Clone)]
pub struct Table {
    id: Option<String>,
    caption: Option<String>,
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers and no rows.
    pub fn new(headers: &[&str]) -> Self {
        Table {
            id: None,
            caption: None,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            align: (0..headers.len())
                .map(|i| if i == 0 { Align::Left } else { Align::Right })
                .collect(),
            rows: Vec::new(),
        }
    }

    /// The table's anchor id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// A caption above the table.
    pub fn caption(mut self, text: impl Into<String>) -> Self {
        self.caption = Some(text.into());
        self
    }

    /// Sets column `column`'s alignment (ignored past the last column).
    pub fn align(mut self, column: usize, align: Align) -> Self {
        if let Some(a) = self.align.get_mut(column) {
            *a = align;
        }
        self
    }

    /// Appends a row; short rows are padded with empty cells.
    pub fn row(mut self, cells: Vec<String>) -> Self {
        self.rows.push(cells);
        self
    }

    /// Appends rows.
    pub fn rows(mut self, rows: impl IntoIterator<Item = Vec<String>>) -> Self {
        self.rows.extend(rows);
        self
    }

    fn render(&self, out: &mut String) {
        match &self.id {
            Some(id) => {
                let _ = writeln!(out, "<table id=\"{}\">", escape(id));
            }
            None => out.push_str("<table>\n"),
        }
        if let Some(c) = &self.caption {
            let _ = writeln!(out, "<caption>{}</caption>", escape(c));
        }
        let class = |i: usize| match self.align.get(i) {
            Some(Align::Right) => " class=\"num\"",
            _ => "",
        };
        out.push_str("<thead><tr>");
        for (i, h) in self.headers.iter().enumerate() {
            let _ = write!(out, "<th{}>{}</th>", class(i), escape(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for i in 0..row.len().max(self.headers.len()) {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let _ = write!(out, "<td{}>{}</td>", class(i), escape(cell));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_everywhere_but_keeps_svg() {
        let mut page = Page::new("a <b> & \"c\"").subtitle("it's").footer("f<");
        page.push(
            Section::new("s1", "One & two")
                .paragraph("x < y")
                .note("careful >")
                .list(vec!["<li>".into()])
                .list(Vec::new())
                .table(
                    Table::new(&["name", "value"])
                        .id("t")
                        .caption("c&")
                        .row(vec!["<n>".into()]),
                )
                .figures(vec![Figure::new(
                    "f",
                    "<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\"><text>k</text></svg>\n"
                        .into(),
                    "cap \"q\"",
                )
                .wide()]),
        );
        let html = page.render();
        for needle in [
            "<title>a &lt;b&gt; &amp; &quot;c&quot;</title>",
            "<p class=\"subtitle\">it&#39;s</p>",
            "<a href=\"#s1\">One &amp; two</a>",
            "<p>x &lt; y</p>",
            "<li>&lt;li&gt;</li>",
            "<table id=\"t\">\n<caption>c&amp;</caption>",
            "<td>&lt;n&gt;</td><td class=\"num\"></td>",
            "<svg role=\"img\" aria-label=\"cap &quot;q&quot;\" width=\"1\"><text>k</text></svg>",
            "<figure id=\"f\" class=\"wide\">",
            "<footer>f&lt;</footer>",
        ] {
            assert!(html.contains(needle), "{needle} missing from\n{html}");
        }
        assert_eq!(html.matches("<ul>").count(), 1);
        assert!(!html.contains("http") && !html.contains("<script"));
    }
}
