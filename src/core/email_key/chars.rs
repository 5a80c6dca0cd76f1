//! Characters that make an address invalid wherever they appear (the first rule of email identity).
//!
//! They are all invisible or unrenderable: two addresses that differ only by one of them look
//! the same to an admin, so accepting them would let a crafted address pass for another.

/// Why `c` may not appear in an address, or None if it may.
pub(super) fn forbidden(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        // The hot path: only white space and C0 controls/DEL are wrong among ASCII.
        return if c.is_whitespace() {
            Some("white space")
        } else if c.is_ascii_control() {
            Some("control character")
        } else {
            None
        };
    }
    Some(match c {
        // A lone surrogate from JS or an invalid UTF-8 byte both arrive as U+FFFD, so two
        // different inputs could become one address; it is never part of a real address.
        '\u{FFFD}' => "replacement character (a lone surrogate or an invalid byte)",
        '\u{FEFF}' => "byte order mark (zero-width no-break space)",
        '\u{200B}'..='\u{200D}' | '\u{2060}' => "zero-width character",
        '\u{00AD}' => "soft hyphen",
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => "bidi control character",
        _ if c.is_whitespace() => "white space",
        _ if c.is_control() => "control character",
        _ if is_default_ignorable(c) => "invisible (default-ignorable) character",
        '\u{FFF9}'..='\u{FFFB}' => "interlinear annotation character",
        _ if is_noncharacter(c) => "noncharacter",
        _ => return None,
    })
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15/16): the
/// characters a renderer shows as nothing. The named classes above are matched first; this
/// catches the rest (Hangul fillers, variation selectors, tags, invisible operators...).
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// The 66 noncharacters: reserved for internal use, never in interchanged text.
fn is_noncharacter(c: char) -> bool {
    let u = c as u32;
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

/// Rejects the first forbidden character of `addr`, naming it and its position (counted in
/// characters from 1, in the trimmed address).
pub(super) fn check(addr: &str) -> Result<(), String> {
    for (i, c) in addr.chars().enumerate() {
        if let Some(what) = forbidden(c) {
            return Err(format!("{what} U+{:04X} at position {}", c as u32, i + 1));
        }
    }
    Ok(())
}
