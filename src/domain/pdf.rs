//! A small, deterministic PDF writer for agreements: A4 pages of wrapped text in
//! Helvetica. The standard font with WinAnsiEncoding covers the Latin letters merchants
//! use (å ä ö ø æ ü ß ñ é …) without embedding a font file. The same input always gives
//! the same bytes, so a document's SHA-256 identifies exactly what was accepted.

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY_SIZE: f32 = 10.5;
const TITLE_SIZE: f32 = 16.0;
const LEADING: f32 = 1.45;

/// A document to render: a title, a few metadata lines, and paragraphs.
pub struct Document<'a> {
    pub title: &'a str,
    pub meta: &'a [String],
    pub body: &'a str,
}

/// Renders the document as PDF bytes.
pub fn render(doc: &Document<'_>) -> Vec<u8> {
    let mut lines: Vec<(f32, bool, Vec<u8>)> = Vec::new();
    for l in wrap(doc.title, TITLE_SIZE, true) {
        lines.push((TITLE_SIZE, true, l));
    }
    lines.push((BODY_SIZE, false, Vec::new()));
    for m in doc.meta {
        lines.push((BODY_SIZE, false, encode(m)));
    }
    for para in doc.body.split("\n\n") {
        lines.push((BODY_SIZE, false, Vec::new()));
        // Only ASCII whitespace breaks: a no-break space keeps "1 234,50 kr" on one line.
        let joined = para.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        for l in wrap(&joined, BODY_SIZE, false) {
            lines.push((BODY_SIZE, false, l));
        }
    }
    let pages = paginate(&lines);
    assemble(&pages)
}

/// Splits lines into pages of content streams.
fn paginate(lines: &[(f32, bool, Vec<u8>)]) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    let mut stream = Vec::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    for (size, bold, text) in lines {
        let step = size * LEADING;
        if y - step < MARGIN {
            pages.push(std::mem::take(&mut stream));
            y = PAGE_HEIGHT - MARGIN;
        }
        y -= step;
        if text.is_empty() {
            continue;
        }
        let font = if *bold { "F2" } else { "F1" };
        stream.extend_from_slice(format!("BT /{font} {size} Tf {MARGIN} {y:.2} Td (").as_bytes());
        for &b in text {
            if matches!(b, b'(' | b')' | b'\\') {
                stream.push(b'\\');
            }
            stream.push(b);
        }
        stream.extend_from_slice(b") Tj ET\n");
    }
    pages.push(stream);
    pages
}

fn assemble(pages: &[Vec<u8>]) -> Vec<u8> {
    // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, then a page and its content per page.
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| 5 + 2 * i).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            page_ids
                .iter()
                .map(|id| format!("{id} 0 R"))
                .collect::<Vec<_>>()
                .join(" "),
            pages.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                page_ids[i] + 1
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Text in WinAnsiEncoding (Windows-1252); characters outside it become '?'.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '™' => 0x99,
        'Š' => 0x8a,
        'š' => 0x9a,
        'Œ' => 0x8c,
        'œ' => 0x9c,
        'Ž' => 0x8e,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        '→' => b'>',
        // The narrow no-break space of Nordic digit groups ("1 234,50 kr") has no
        // WinAnsi code: the plain no-break space keeps the number on one line too.
        '\u{202f}' => 0xa0,
        _ => b'?',
    }
}

/// Helvetica advance widths (1/1000 em) for printable ASCII; Latin-1 letters use the
/// width of their base letter closely enough for wrapping.
fn width(b: u8, bold: bool) -> f32 {
    const REGULAR: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    let w = match b {
        32..=126 => REGULAR[(b - 32) as usize] as f32,
        0xc0..=0xdf => 722.0,
        _ => 556.0,
    };
    // Bold glyphs run about 6% wider; wrapping errs on the safe side.
    if bold { w * 1.06 } else { w }
}

/// Greedy word wrap to the text width at `size` points.
fn wrap(text: &str, size: f32, bold: bool) -> Vec<Vec<u8>> {
    let max = (PAGE_WIDTH - 2.0 * MARGIN) * 1000.0 / size;
    let space = width(b' ', bold);
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_width = 0.0;
    for word in text.split(' ').map(encode) {
        let w: f32 = word.iter().map(|b| width(*b, bold)).sum();
        if !line.is_empty() && line_width + space + w > max {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if !line.is_empty() {
            line.push(b' ');
            line_width += space;
        }
        line.extend_from_slice(&word);
        line_width += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Vec<u8> {
        render(&Document {
            title: "Addendum",
            meta: &["Version 1".into()],
            body,
        })
    }

    #[test]
    fn the_same_document_gives_the_same_bytes() {
        assert_eq!(doc("Hello"), doc("Hello"));
        assert_ne!(doc("Hello"), doc("Hello."));
    }

    #[test]
    fn nordic_and_german_letters_are_encoded_not_lost() {
        let pdf = doc("Kaffebaren i Göteborg, Ærø, Straße, España: å ä ö ø æ ü ß ñ");
        let expected = encode("å ä ö ø æ ü ß ñ");
        assert_eq!(
            expected,
            [
                0xe5, b' ', 0xe4, b' ', 0xf6, b' ', 0xf8, b' ', 0xe6, b' ', 0xfc, b' ', 0xdf, b' ',
                0xf1
            ]
        );
        assert!(
            pdf.windows(expected.len())
                .any(|w| w == expected.as_slice())
        );
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn long_text_wraps_and_flows_onto_more_pages() {
        let long = "word ".repeat(3000);
        let pdf = doc(&long);
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/Count 2") || text.contains("/Count 3") || text.contains("/Count 4"),
            "several pages"
        );
        for line in text.lines().filter(|l| l.starts_with("BT /F1")) {
            assert!(
                line.len() < 600,
                "a wrapped line is not overly long: {}",
                line.len()
            );
        }
    }

    #[test]
    fn parentheses_and_backslashes_are_escaped() {
        let pdf = String::from_utf8_lossy(&doc("a (b) c\\d")).into_owned();
        assert!(pdf.contains("(a \\(b\\) c\\\\d) Tj"), "{pdf}");
    }

    #[test]
    fn the_cross_reference_table_points_at_the_objects() {
        let pdf = doc("x");
        let tail = String::from_utf8_lossy(&pdf[pdf.len() - 40..]).into_owned();
        let start: usize = tail
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        for (i, entry) in table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .enumerate()
        {
            let offset: usize = entry[..10].parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
    }
}
