use cordon_model::{EntityKind, ListFormat, NameQuality};

use crate::shared_or_skip;
use crate::util::{entity, read};

#[test]
fn consolidated_2024_05_06() {
    let list = read(&shared_or_skip!("ofac/non_sdn_consolidated_xml_2024-05-06/consolidated.xml"));
    assert_eq!(list.format, ListFormat::OfacXml);
    assert_eq!(list.source, "ofac-cons");
    assert_eq!(list.issued.as_deref(), Some("2024-05-06"));
    assert_eq!(list.entities.len(), 443);
    let h = entity(&list, "ofac:9639");
    assert_eq!(h.kind, EntityKind::Person);
    assert_eq!(h.names[0].full, "HANIYA, Ismail Abdul Salah");
    assert_eq!(h.names.len(), 3);
    assert!(h.names[1..].iter().all(|n| n.quality == NameQuality::Strong));
    assert_eq!(h.birth_dates[0].to_string(), "1962");
    assert_eq!(h.programs, ["NS-PLC"]);
    let ids = list.entities.iter().map(|e| e.documents.len()).sum::<usize>();
    assert!(ids > 300, "typed ids: {ids}");
    assert!(list.entities.iter().map(|e| e.emails.len() + e.websites.len()).sum::<usize>() > 250);
}
