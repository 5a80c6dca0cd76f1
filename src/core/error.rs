//! The one error type of the core. Every public function returns it; the binding turns it
//! into a JS `Error` whose `code` is one of [`ErrorCode`]'s snake_case names.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The closed list of codes an error carries; callers switch on them.
/// Renaming a variant is a breaking change for every JS caller that switches on `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    MissingField,
    Superseded,
    DuplicateIdConflict,
    InvalidEmail,
    Confusable,
    InvalidInput,
    InvalidSnapshot,
    UnsupportedVersion,
    PermissionDenied,
    NotFound,
    HttpError,
    RateLimited,
    ExternalTaken,
    UnmapThresholdExceeded,
    AcdTenantAlreadyLinked,
    AgentInMultipleTenants,
    SyncNotDue,
    TeamLacksWfmAdvanced,
    NoAcdProfile,
    InputTooLarge,
    UndoConflict,
    /// The caller's `AbortSignal` fired (its own code: a cancelled fetch is neither
    /// an HTTP failure nor bad input, and callers want to tell it apart).
    Aborted,
    /// A paged read ended before the total the server declared: never return part of a directory.
    IncompleteDirectory,
    /// Auto Sync asked for on a platform that supports manual mapping only.
    AutoSyncUnsupported,
    /// A CXone user without the numeric agent number WFM identifies agents by (never invented).
    NoAgentNumber,
    /// An agent sent to WFM that IEX still does not hold several intervals later.
    NotInWfm,
    /// Another process holds the snapshot file's lock (the CLI's read-modify-write).
    SnapshotLocked,
    /// A JS value nested deeper, or larger, than the boundary converts.
    ValueTooComplex,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::MissingField,
        ErrorCode::Superseded,
        ErrorCode::DuplicateIdConflict,
        ErrorCode::InvalidEmail,
        ErrorCode::Confusable,
        ErrorCode::InvalidInput,
        ErrorCode::InvalidSnapshot,
        ErrorCode::UnsupportedVersion,
        ErrorCode::PermissionDenied,
        ErrorCode::NotFound,
        ErrorCode::HttpError,
        ErrorCode::RateLimited,
        ErrorCode::ExternalTaken,
        ErrorCode::UnmapThresholdExceeded,
        ErrorCode::AcdTenantAlreadyLinked,
        ErrorCode::AgentInMultipleTenants,
        ErrorCode::SyncNotDue,
        ErrorCode::TeamLacksWfmAdvanced,
        ErrorCode::NoAcdProfile,
        ErrorCode::InputTooLarge,
        ErrorCode::UndoConflict,
        ErrorCode::Aborted,
        ErrorCode::IncompleteDirectory,
        ErrorCode::AutoSyncUnsupported,
        ErrorCode::NoAgentNumber,
        ErrorCode::NotInWfm,
        ErrorCode::SnapshotLocked,
        ErrorCode::ValueTooComplex,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingField => "missing_field",
            ErrorCode::Superseded => "superseded",
            ErrorCode::DuplicateIdConflict => "duplicate_id_conflict",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::Confusable => "confusable",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidSnapshot => "invalid_snapshot",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::NotFound => "not_found",
            ErrorCode::HttpError => "http_error",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ExternalTaken => "external_taken",
            ErrorCode::UnmapThresholdExceeded => "unmap_threshold_exceeded",
            ErrorCode::AcdTenantAlreadyLinked => "acd_tenant_already_linked",
            ErrorCode::AgentInMultipleTenants => "agent_in_multiple_tenants",
            ErrorCode::SyncNotDue => "sync_not_due",
            ErrorCode::TeamLacksWfmAdvanced => "team_lacks_wfm_advanced",
            ErrorCode::NoAcdProfile => "no_acd_profile",
            ErrorCode::InputTooLarge => "input_too_large",
            ErrorCode::UndoConflict => "undo_conflict",
            ErrorCode::Aborted => "aborted",
            ErrorCode::IncompleteDirectory => "incomplete_directory",
            ErrorCode::AutoSyncUnsupported => "auto_sync_unsupported",
            ErrorCode::NoAgentNumber => "no_agent_number",
            ErrorCode::NotInWfm => "not_in_wfm",
            ErrorCode::SnapshotLocked => "snapshot_locked",
            ErrorCode::ValueTooComplex => "value_too_complex",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed failure: a stable `code`, a message for people, and where it applies the record
/// (`index`: position in a batch, or 1-based line in a file), its `id` and the `field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The vendor's own error code (RingCentral `errorCode`, CXone `error`), when a vendor
    /// answered with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_code: Option<String>,
}

/// Longest quote of caller data an error message carries, in characters.
pub const QUOTE_MAX_CHARS: usize = 200;
/// Longest message an error carries, in bytes: a backstop behind [`quote`], so no message
/// grows with its input even where a path formats caller data directly.
pub const MESSAGE_MAX_BYTES: usize = 1000;

/// Caller data as it may appear in a message: Debug-quoted (so control characters show) and
/// cut to [`QUOTE_MAX_CHARS`] characters with an ellipsis and the original length.
pub fn quote(value: &str) -> String {
    let total = value.chars().count();
    if total <= QUOTE_MAX_CHARS {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(QUOTE_MAX_CHARS).collect();
    format!("{head:?}… ({total} characters)")
}

fn bounded(message: String) -> String {
    if message.len() <= MESSAGE_MAX_BYTES {
        return message;
    }
    let total = message.chars().count();
    let mut cut = MESSAGE_MAX_BYTES - 40;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({total} characters)", &message[..cut])
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: bounded(message.into()),
            index: None,
            id: None,
            field: None,
            vendor_code: None,
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidInput, message)
    }

    pub fn at(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_vendor_code(mut self, code: impl Into<String>) -> Self {
        self.vendor_code = Some(code.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serialises_to_its_stable_name() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn quotes_and_messages_are_bounded() {
        let long = "x".repeat(10_000_000);
        let q = quote(&long);
        assert!(q.chars().count() < QUOTE_MAX_CHARS + 40, "{}", q.len());
        assert!(q.ends_with("(10000000 characters)"));
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        let e = Error::invalid_input(format!("bad value {long}"));
        assert!(e.message.len() <= MESSAGE_MAX_BYTES, "{}", e.message.len());
        let wide = "é".repeat(5_000);
        assert!(Error::invalid_input(wide).message.len() <= MESSAGE_MAX_BYTES);
    }
}
