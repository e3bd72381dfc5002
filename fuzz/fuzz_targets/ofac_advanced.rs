#![no_main]
//! Fuzzes the ofac_advanced parser: any input must give entities or an error, never a panic or a hang.

use cordon_model::ListFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cordon_lists::detect_format(data, std::path::Path::new("fuzz"));
    if let Ok(body) = cordon_lists::parse_bytes(ListFormat::OfacAdvanced, data) {
        // What parses must also export.
        let mut sink = Vec::new();
        cordon_lists::ftm::write(&body.entities, "fuzz", &mut sink).expect("export to memory");
    }
});
