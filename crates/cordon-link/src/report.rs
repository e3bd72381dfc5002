//! A self-contained HTML report: one section per cluster, high-risk first, with its red
//! flags, its links in words, and a picture of its identifier graph (records and the values
//! they share) drawn as inline SVG.

use std::fmt::Write;

use serde::Serialize;

/// What the report shows of one cluster.
#[derive(Clone, Debug, Serialize)]
pub struct ReportCluster {
    /// Id.
    pub id: String,
    /// Risk in [0, 1].
    pub risk: f64,
    /// Members: (record id, name).
    pub members: Vec<(String, String)>,
    /// Red flags in words.
    pub flags: Vec<String>,
    /// Sanctions hits in words.
    pub sanctions: Vec<String>,
    /// Links: (record a, record b, score, explanation).
    pub links: Vec<(String, String, f64, String)>,
    /// Shared values: (label, member record ids).
    pub shared: Vec<(String, Vec<String>)>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The identifier graph as SVG: records on a circle, shared values inside.
fn svg(c: &ReportCluster) -> String {
    let (w, h) = (520.0f64, 360.0f64);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let n = c.members.len().max(1) as f64;
    let pos: Vec<(f64, f64)> = (0..c.members.len())
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
            (cx + 150.0 * a.cos(), cy + 140.0 * a.sin())
        })
        .collect();
    let k = c.shared.len().max(1) as f64;
    let vpos: Vec<(f64, f64)> = (0..c.shared.len())
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / k;
            (cx + 60.0 * a.cos(), cy + 55.0 * a.sin())
        })
        .collect();
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">"#);
    for (vi, (_, who)) in c.shared.iter().enumerate() {
        for m in who {
            if let Some(mi) = c.members.iter().position(|x| &x.0 == m) {
                let _ = write!(
                    s,
                    r##"<line x1="{:.0}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="#999"/>"##,
                    pos[mi].0, pos[mi].1, vpos[vi].0, vpos[vi].1
                );
            }
        }
    }
    for (vi, (label, _)) in c.shared.iter().enumerate() {
        let (x, y) = vpos[vi];
        let _ = write!(
            s,
            r##"<rect x="{:.0}" y="{:.0}" width="12" height="12" fill="#d33"><title>{}</title></rect>"##,
            x - 6.0,
            y - 6.0,
            esc(label)
        );
    }
    for (mi, (id, name)) in c.members.iter().enumerate() {
        let (x, y) = pos[mi];
        let _ = write!(
            s,
            r##"<circle cx="{x:.0}" cy="{y:.0}" r="9" fill="#36c"><title>{}</title></circle><text x="{:.0}" y="{:.0}" font-size="11" text-anchor="middle">{}</text>"##,
            esc(id),
            x,
            y + 22.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// The report page.
pub fn html(title: &str, summary: &[String], clusters: &[ReportCluster]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}section{{border-top:1px solid #ccc;padding:1em 0}}.risk{{font-weight:bold}}li{{margin:.2em 0}}</style></head><body><h1>{}</h1>",
        esc(title),
        esc(title)
    );
    s.push_str("<ul>");
    for line in summary {
        let _ = write!(s, "<li>{}</li>", esc(line));
    }
    s.push_str("</ul>");
    for c in clusters {
        let _ = write!(
            s,
            "<section><h2>Cluster {} — <span class=\"risk\">risk {:.2}</span>, {} records</h2>",
            esc(&c.id),
            c.risk,
            c.members.len()
        );
        if !c.sanctions.is_empty() {
            s.push_str("<h3>Sanctions</h3><ul>");
            for x in &c.sanctions {
                let _ = write!(s, "<li>{}</li>", esc(x));
            }
            s.push_str("</ul>");
        }
        if !c.flags.is_empty() {
            s.push_str("<h3>Red flags</h3><ul>");
            for x in &c.flags {
                let _ = write!(s, "<li>{}</li>", esc(x));
            }
            s.push_str("</ul>");
        }
        s.push_str(&svg(c));
        s.push_str("<h3>Links</h3><ul>");
        for (a, b, score, why) in &c.links {
            let _ = write!(s, "<li>{} — {} ({score:.1} bits): {}</li>", esc(a), esc(b), esc(why));
        }
        s.push_str("</ul></section>");
    }
    s.push_str("</body></html>\n");
    s
}
