//! Human-readable rendering of entities and diffs.

use std::io::Write;

use anyhow::Result;
use cordon_lists::diff::ListDiff;
use cordon_model::{Entity, ListVersion};

pub fn entity(out: &mut impl Write, v: &ListVersion, e: &Entity) -> Result<()> {
    writeln!(out, "{}  [{}]  {}", e.caption(), e.id, e.kind)?;
    writeln!(
        out,
        "  list: {} version {} issued {}{}",
        v.source,
        v.id,
        v.issued.as_deref().unwrap_or("?"),
        if v.active { " (active)" } else { "" }
    )?;
    if !e.programs.is_empty() {
        writeln!(out, "  programs: {}", e.programs.join(", "))?;
    }
    if let Some(d) = e.listed_on {
        writeln!(out, "  listed on: {d}")?;
    }
    writeln!(out, "  names:")?;
    for n in &e.names {
        let label = n.quality_label.as_deref().map(|l| format!(", {l}")).unwrap_or_default();
        writeln!(out, "    {:<40} {:?}/{:?}{label} [{}]", n.full, n.kind, n.quality, n.script.code())?;
    }
    let list = |out: &mut dyn Write, title: &str, items: Vec<String>| -> std::io::Result<()> {
        if !items.is_empty() {
            writeln!(out, "  {title}: {}", items.join("; "))?;
        }
        Ok(())
    };
    list(out, "born", e.birth_dates.iter().map(|d| d.to_string()).collect())?;
    list(out, "birth places", e.birth_places.iter().map(|a| a.one_line()).collect())?;
    list(out, "nationality", e.nationalities.iter().map(|c| c.to_string()).collect())?;
    list(out, "citizenship", e.citizenships.iter().map(|c| c.to_string()).collect())?;
    list(out, "gender", e.gender.iter().map(|g| format!("{g:?}")).collect())?;
    list(out, "titles", e.titles.clone())?;
    list(out, "positions", e.positions.clone())?;
    list(
        out,
        "documents",
        e.documents
            .iter()
            .map(|d| {
                format!(
                    "{} {}{}",
                    d.kind,
                    d.number,
                    d.country.as_ref().map(|c| format!(" ({})", c.name)).unwrap_or_default()
                )
            })
            .collect(),
    )?;
    list(out, "wallets", e.wallets.iter().map(|w| w.to_string()).collect())?;
    list(out, "emails", e.emails.clone())?;
    list(out, "websites", e.websites.clone())?;
    list(out, "phones", e.phones.clone())?;
    list(out, "addresses", e.addresses.iter().map(|a| a.one_line()).collect())?;
    list(
        out,
        "relations",
        e.relations
            .iter()
            .map(|r| format!("{} {}", r.kind, r.target.clone().or(r.target_name.clone()).unwrap_or_default()))
            .collect(),
    )?;
    for r in &e.remarks {
        writeln!(out, "  remarks: {r}")?;
    }
    for (k, vs) in &e.extra {
        writeln!(out, "  {k}: {}", vs.join("; "))?;
    }
    Ok(())
}

pub fn diff(out: &mut impl Write, old: &str, new: &str, d: &ListDiff, new_entities: &[Entity]) -> Result<()> {
    writeln!(
        out,
        "{old} → {new}: {} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    )?;
    let caption = |id: &str| new_entities.iter().find(|e| e.id == id).map(|e| e.caption().to_string()).unwrap_or_default();
    for id in &d.added {
        writeln!(out, "+ {id}  {}", caption(id))?;
    }
    for id in &d.removed {
        writeln!(out, "- {id}")?;
    }
    for c in &d.changed {
        writeln!(out, "~ {}  {}", c.id, c.caption)?;
        for f in &c.changes {
            match f.change {
                "added" => writeln!(out, "    + {}: {}", f.field, f.new.as_deref().unwrap_or(""))?,
                "removed" => writeln!(out, "    - {}: {}", f.field, f.old.as_deref().unwrap_or(""))?,
                _ => writeln!(
                    out,
                    "    ~ {}: {} → {}",
                    f.field,
                    f.old.as_deref().unwrap_or(""),
                    f.new.as_deref().unwrap_or("")
                )?,
            }
        }
    }
    Ok(())
}
