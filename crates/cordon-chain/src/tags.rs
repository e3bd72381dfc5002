//! Reading attribution tags: GraphSense TagPack YAML, and plain files of addresses.

use std::path::Path;

use cordon_model::{Tag, TagCategory};

use crate::model::normalize_address;
use crate::ChainError;

/// Defaults for tags that do not say (plain address files, TagPack headers).
#[derive(Clone, Debug, Default)]
pub struct TagDefaults {
    /// Category.
    pub category: Option<TagCategory>,
    /// Label.
    pub label: Option<String>,
    /// Actor.
    pub actor: Option<String>,
}

/// Reads a tag file: TagPack YAML (`.yaml`/`.yml`, or content with a `tags:` list), else one
/// address per line (`#` comments and blank lines ignored; a line may carry more after
/// whitespace or a comma, which is ignored).
pub fn read_tags(path: &Path, defaults: &TagDefaults) -> Result<Vec<Tag>, ChainError> {
    let text = std::fs::read_to_string(path).map_err(|source| ChainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if ext == "yaml" || ext == "yml" || text.lines().any(|l| l.trim_start().starts_with("tags:")) {
        return tagpack(&text, path, defaults);
    }
    let source = path.display().to_string();
    let category = defaults
        .category
        .ok_or_else(|| ChainError::Invalid(format!("{source}: a plain address file needs --category")))?;
    let label = defaults.label.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| category.as_str().to_string())
    });
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(addr) = line.split([',', ' ', '\t']).next().filter(|a| !a.is_empty()) else {
            continue;
        };
        if addr.len() < 20 || !addr.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ChainError::Parse {
                path: path.to_path_buf(),
                position: format!("line {}", i + 1),
                message: format!("{addr:?} is not an address"),
            });
        }
        out.push(Tag {
            address: normalize_address(addr),
            label: label.clone(),
            category,
            actor: defaults.actor.clone(),
            confidence: None,
            source: source.clone(),
        });
    }
    Ok(out)
}

/// A GraphSense TagPack: header fields are defaults for every tag in `tags`.
fn tagpack(text: &str, path: &Path, defaults: &TagDefaults) -> Result<Vec<Tag>, ChainError> {
    let bad = |message: String| ChainError::Parse {
        path: path.to_path_buf(),
        position: "TagPack".into(),
        message,
    };
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| bad(format!("invalid YAML: {e}")))?;
    let header = doc.as_mapping().ok_or_else(|| bad("not a mapping".into()))?;
    let get = |m: &serde_yaml_ng::Mapping, k: &str| -> Option<String> {
        m.get(k).and_then(|v| match v {
            serde_yaml_ng::Value::String(s) => Some(s.clone()),
            serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let tags = header.get("tags").and_then(|t| t.as_sequence()).ok_or_else(|| bad("no `tags` list".into()))?;
    let mut out = Vec::new();
    for (i, t) in tags.iter().enumerate() {
        let m = t.as_mapping().ok_or_else(|| bad(format!("tag {} is not a mapping", i + 1)))?;
        let field = |k: &str| get(m, k).or_else(|| get(header, k));
        let address = field("address").ok_or_else(|| bad(format!("tag {} has no address", i + 1)))?;
        let label = field("label")
            .or_else(|| defaults.label.clone())
            .ok_or_else(|| bad(format!("tag {} has no label", i + 1)))?;
        let category = match field("category") {
            Some(c) => TagCategory::parse(&c).unwrap_or(TagCategory::Other),
            None => defaults.category.unwrap_or(TagCategory::Other),
        };
        let confidence = field("confidence")
            .and_then(|c| c.parse::<f64>().ok())
            .map(|c| if c > 1.0 { c / 100.0 } else { c });
        out.push(Tag {
            address: normalize_address(&address),
            label,
            category,
            actor: field("actor").or_else(|| defaults.actor.clone()),
            confidence,
            source: field("source").unwrap_or_else(|| path.display().to_string()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagpack_header_fields_are_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pack.yaml");
        std::fs::write(
            &p,
            "title: test pack\ncreator: me\nsource: https://example.org/report\ncategory: exchange\ncurrency: ETH\ntags:\n  - address: '0xAB5801A7D398351B8BE11C439E05C5B3259AEC9B'\n    label: Some Exchange hot wallet\n  - address: 1BK769SseNefb6fe9QuFEi8W4KGbtP8gi3\n    label: Harmony hacker\n    category: perpetrator\n    actor: lazarus\n    confidence: 80\n",
        )
        .unwrap();
        let t = read_tags(&p, &TagDefaults::default()).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].address, "0xab5801a7d398351b8be11c439e05c5b3259aec9b");
        assert_eq!(t[0].category, TagCategory::Exchange);
        assert_eq!(t[0].source, "https://example.org/report");
        assert_eq!(t[1].actor.as_deref(), Some("lazarus"));
        assert_eq!(t[1].confidence, Some(0.8));
        let plain = dir.path().join("addrs.txt");
        std::fs::write(&plain, "# header\n1BK769SseNefb6fe9QuFEi8W4KGbtP8gi3\n\nnot an address\n").unwrap();
        let d = TagDefaults {
            category: Some(TagCategory::Dprk),
            label: Some("Lazarus".into()),
            actor: None,
        };
        let e = read_tags(&plain, &d).unwrap_err().to_string();
        assert!(e.contains("line 4"), "{e}");
    }
}
