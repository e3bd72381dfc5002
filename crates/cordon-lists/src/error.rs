use std::path::PathBuf;

/// Where in an input a problem was found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// Byte offset into the (decompressed) content, when known.
    pub offset: Option<u64>,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.offset) {
            (Some(l), Some(o)) => write!(f, "line {l} (byte {o})"),
            (Some(l), None) => write!(f, "line {l}"),
            (None, Some(o)) => write!(f, "byte {o}"),
            (None, None) => f.write_str("unknown position"),
        }
    }
}

/// Errors reading a sanctions list.
///
/// Every variant that concerns content names the file and a position, so an operator can open
/// the file at the right place. Parse failures never produce partial results: a caller either
/// gets the whole list or an error.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The content is in no format Cordon reads.
    #[error("{}: unknown list format ({detail}); expected UN consolidated XML, OFAC SDN_ADVANCED.XML, OFAC sdn.xml, OFAC CSV (sdn.csv/add.csv/alt.csv/sdn_comments.csv) or FollowTheMoney JSON lines; pass --format to force one", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was seen instead.
        detail: String,
    },
    /// The content is malformed at a position: bad XML, a truncated file, a wrong element.
    #[error("{}: {position}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Where.
        position: Position,
        /// What was expected and what was found.
        message: String,
    },
    /// A field holds a value that cannot be read (a date, a number, a required field missing).
    #[error("{}: {position}: field {field}: {message}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// Where.
        position: Position,
        /// The field (XML element or attribute, CSV column, JSON property).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The content is not valid UTF-8.
    #[error("{}: {position}: invalid UTF-8 (lists are published in UTF-8; was the file re-encoded?)", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// Where.
        position: Position,
    },
    /// A download failed.
    #[error("download of {url} failed: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What happened (HTTP status, network error).
        message: String,
    },
}

impl ListError {
    /// The position of a content error, if it has one.
    pub fn position_mut(&mut self) -> Option<&mut Position> {
        match self {
            ListError::Malformed { position, .. } | ListError::Field { position, .. } | ListError::Encoding { position, .. } => Some(position),
            _ => None,
        }
    }

    pub(crate) fn malformed(path: &std::path::Path, offset: u64, message: impl Into<String>) -> ListError {
        ListError::Malformed {
            path: path.to_path_buf(),
            position: Position {
                line: None,
                offset: Some(offset),
            },
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> ListError {
        ListError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
