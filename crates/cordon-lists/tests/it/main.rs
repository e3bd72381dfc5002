//! Integration tests of the parsers against the real official files in the shared data folder.

mod util;

mod diffs;
mod errors;
mod ftm;
mod ofac_advanced;
mod ofac_csv;
mod ofac_xml;
mod un_xml;
