use proptest::prelude::*;

use super::*;

fn k(s: &str) -> EmailKey {
    match email_key(s, &KeyOptions::default()) {
        Ok(key) => key,
        Err(e) => panic!("{s:?} should be valid: {e}"),
    }
}

fn key(s: &str) -> String {
    k(s).key
}

fn err(s: &str) -> String {
    match email_key(s, &KeyOptions::default()) {
        Ok(key) => panic!("{s:?} should be invalid, got {key:?}"),
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidEmail);
            assert_eq!(e.field.as_deref(), Some("email"));
            e.message
        }
    }
}

fn assert_err(s: &str, needle: &str) {
    let msg = err(s);
    assert!(
        msg.contains(needle),
        "{s:?}: message {msg:?} should contain {needle:?}"
    );
}

fn reason(s: &str) -> String {
    k(s).confusable
        .unwrap_or_else(|| panic!("{s:?} should be confusable"))
}

fn clean(s: &str) {
    let got = k(s);
    assert_eq!(got.confusable, None, "{s:?} should not be confusable");
}

// ---- white space, invisible and broken characters ----

#[test]
fn surrounding_white_space_is_trimmed() {
    assert_eq!(key("  a@x.com\t\n"), "a@x.com");
    assert_eq!(key("\u{3000}a@x.com\u{00A0}"), "a@x.com");
}

#[test]
fn inner_white_space_and_controls_are_invalid() {
    assert_err("a b@x.com", "white space U+0020 at position 2");
    assert_err("a@x .com", "white space U+0020 at position 4");
    assert_err("a\u{00A0}b@x.com", "white space U+00A0");
    assert_err("a\u{0007}b@x.com", "control character U+0007 at position 2");
    assert_err("a\u{007F}@x.com", "control character U+007F");
    assert_err("a\u{0085}@x.com", "U+0085");
}

#[test]
fn zero_width_characters_are_invalid() {
    assert_err(
        "ab\u{200B}c@x.com",
        "zero-width character U+200B at position 3",
    );
    assert_err("a\u{200C}@x.com", "zero-width character U+200C");
    assert_err("a\u{200D}@x.com", "zero-width character U+200D");
    assert_err("a@x\u{2060}.com", "zero-width character U+2060");
}

#[test]
fn bom_is_invalid_even_leading_because_rust_trim_keeps_it() {
    assert_err(
        "\u{FEFF}a@x.com",
        "byte order mark (zero-width no-break space) U+FEFF at position 1",
    );
    assert_err("a@x.com\u{FEFF}", "U+FEFF");
}

#[test]
fn soft_hyphen_is_invalid() {
    assert_err("jo\u{00AD}hn@x.com", "soft hyphen U+00AD at position 3");
    assert_err("a@exam\u{00AD}ple.com", "soft hyphen");
}

#[test]
fn bidi_controls_are_invalid() {
    for c in [
        '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
    ] {
        assert_err(
            &format!("a{c}b@x.com"),
            &format!("bidi control character U+{:04X}", c as u32),
        );
    }
}

#[test]
fn other_invisible_characters_are_invalid() {
    assert_err(
        "a\u{3164}@x.com",
        "invisible (default-ignorable) character U+3164",
    );
    assert_err("a\u{FE0F}@x.com", "default-ignorable");
    assert_err("a\u{E0041}@x.com", "default-ignorable");
    assert_err("a\u{2064}@x.com", "default-ignorable");
    assert_err("a\u{FFFF}@x.com", "noncharacter U+FFFF");
}

#[test]
fn replacement_character_is_invalid() {
    // A lone surrogate from JS or a bad UTF-8 byte both decode to U+FFFD.
    assert_err("a\u{FFFD}@x.com", "replacement character");
    assert_eq!(String::from_utf16_lossy(&[0x61, 0xD800]), "a\u{FFFD}");
    assert_err(
        &format!("{}@x.com", String::from_utf16_lossy(&[0x61, 0xD800])),
        "U+FFFD",
    );
}

// ---- structure ----

#[test]
fn exactly_one_at_with_both_parts() {
    assert_err("", "empty");
    assert_err("   ", "empty");
    assert_err("ax.com", "no '@'");
    assert_err("a@b@x.com", "more than one '@'");
    assert_err("@x.com", "local part (before '@') is empty");
    assert_err("a@", "domain (after '@') is empty");
    // A fullwidth at sign is not an '@'.
    assert_err("a\u{FF20}x.com", "no '@'");
}

#[test]
fn quoted_comments_and_ip_literals_are_invalid() {
    assert_err("\"john doe\"@x.com", "white space");
    assert_err("\"john\"@x.com", "quoted local parts are not supported");
    assert_err("\"a@b\"@x.com", "quoted local parts are not supported");
    assert_err("john(work)@x.com", "comments");
    assert_err("john@(c)x.com", "comments");
    assert_err("a@[192.168.0.1]", "IP-address literals");
    assert_err("a@[IPv6:::1]", "IP-address literals");
    assert_err(
        "a,b@x.com",
        "character ',' is not allowed in the local part",
    );
    assert_err("<a@x.com>", "character '<'");
}

#[test]
fn dots_in_the_local_part() {
    assert_err(".a@x.com", "starts with '.'");
    assert_err("a.@x.com", "ends with '.'");
    assert_err("a..b@x.com", "two dots in a row");
    assert_eq!(key("a.b@x.com"), "a.b@x.com");
    assert_ne!(key("a.b@x.com"), key("ab@x.com"));
}

#[test]
fn domain_dots_and_labels() {
    assert_err("a@x.com.", "ends with a dot");
    assert_err("a@x\u{3002}com\u{3002}", "ends with a dot");
    assert_err("a@x..com", "empty label");
    assert_err("a@.x.com", "empty label");
    assert_eq!(key("a@x\u{3002}com"), "a@x.com");
}

#[test]
fn lengths() {
    let local64 = "a".repeat(64);
    assert_eq!(key(&format!("{local64}@x.com")), format!("{local64}@x.com"));
    assert_err(&format!("{}@x.com", "a".repeat(65)), "65 bytes");
    // 32 two-byte characters are 64 bytes; 33 are too many.
    assert!(email_key(&format!("{}@x.com", "é".repeat(32)), &KeyOptions::default()).is_ok());
    assert_err(&format!("{}@x.com", "é".repeat(33)), "66 bytes");
    assert_err(&format!("a@{}.com", "b".repeat(64)), "longer than 63");
    let label = "b".repeat(63);
    let domain252 = format!("{label}.{label}.{label}.{}", "c".repeat(60));
    assert_eq!(domain252.len(), 252);
    assert_eq!(key(&format!("a@{domain252}")), format!("a@{domain252}"));
    // 253 is the domain's limit, but with "a@" that is 255 bytes: over the address limit.
    assert_err(
        &format!("a@{domain252}c"),
        "255 bytes long once normalised; the limit is 254",
    );
    assert_err(&format!("a@{domain252}cc"), "253");
}

// ---- domain: UTS #46 ----

#[test]
fn unicode_domain_equals_its_punycode() {
    assert_eq!(key("a@bücher.de"), "a@xn--bcher-kva.de");
    assert_eq!(key("a@xn--bcher-kva.de"), "a@xn--bcher-kva.de");
    assert_eq!(key("a@XN--BCHER-KVA.DE"), "a@xn--bcher-kva.de");
    assert_eq!(key("a@BÜCHER.DE"), "a@xn--bcher-kva.de");
    assert_eq!(k("a@bücher.de").skeleton, k("a@xn--bcher-kva.de").skeleton);
    clean("a@bücher.de");
}

#[test]
fn sharp_s_domain_is_non_transitional() {
    assert_eq!(key("a@faß.de"), "a@xn--fa-hia.de");
    assert_ne!(key("a@faß.de"), key("a@fass.de"));
}

#[test]
fn fullwidth_domain_maps_and_is_not_confusable() {
    assert_eq!(key("a@ｅｘａｍｐｌｅ.com"), "a@example.com");
    clean("a@ｅｘａｍｐｌｅ.com");
    assert_eq!(key("a@EXAMPLE.Com"), "a@example.com");
    // The Kelvin sign maps to k under UTS #46: authoritative for domains.
    assert_eq!(key("a@\u{212A}.com"), "a@k.com");
    clean("a@\u{212A}.com");
}

#[test]
fn std3_and_hyphen_rules() {
    assert_err("a@ex_ample.com", "character '_' is not allowed in a domain");
    assert_err("a@-ex.com", "starts or ends with a hyphen");
    assert_err("a@ex-.com", "starts or ends with a hyphen");
    assert_err("a@ab--cd.com", "positions 3-4");
    assert_err("a@xn--a.com", "UTS #46");
    // Bidi rule: a label mixing a left-to-right letter and Arabic.
    assert_err("a@a\u{0644}.com", "UTS #46");
    // A fullwidth low line maps to '_' and then fails STD3.
    assert_err(
        "a@ex\u{FF3F}ample.com",
        "other than letters, digits and hyphens",
    );
    assert_eq!(key("a@a-b.c-d.com"), "a@a-b.c-d.com");
    assert_eq!(key("a@123.com"), "a@123.com");
}

#[test]
fn mixed_script_domain_label_is_confusable() {
    let got = k("a@раypal.com");
    assert!(got.key.starts_with("a@xn--"));
    assert!(got
        .confusable
        .as_deref()
        .is_some_and(|r| r.contains("domain label 'раypal' mixes scripts")));
    // Its skeleton is taken on the Unicode form, so it collides with the real domain.
    assert_eq!(got.skeleton, k("a@paypal.com").skeleton);
    // A whole-script Cyrillic domain is single-script, but still caught by the skeleton.
    clean("a@пример.рф");
}

// ---- local part ----

#[test]
fn local_part_is_nfc_and_lower_case() {
    assert_eq!(key("JOHN.Doe@X.COM"), "john.doe@x.com");
    // Decomposed é and precomposed é are one address.
    assert_eq!(key("Jose\u{0301}@x.com"), "jos\u{00E9}@x.com");
    assert_eq!(key("JOSÉ@x.com"), "josé@x.com");
    clean("Jose\u{0301}@x.com");
    // No accent stripping.
    assert_ne!(key("josé@x.com"), key("jose@x.com"));
}

#[test]
fn sharp_s_local_part_never_folds_to_ss() {
    assert_eq!(key("Straße@x.com"), "straße@x.com");
    assert_ne!(key("straße@x.com"), key("strasse@x.com"));
    // Capital sharp s lower-cases to ß (not ASCII): not confusable by itself.
    assert_eq!(key("STRA\u{1E9E}E@x.com"), "straße@x.com");
    clean("STRA\u{1E9E}E@x.com");
}

#[test]
fn turkish_dotted_capital_i_is_confusable() {
    // Rust's locale-free lowercase of İ is i + U+0307: an ASCII i appears.
    let got = k("\u{0130}van@x.com");
    assert_eq!(got.key, "i\u{0307}van@x.com");
    assert!(got
        .confusable
        .as_deref()
        .is_some_and(|r| r.contains("U+0130") && r.contains("lower-casing")));
    assert_ne!(got.key, key("ivan@x.com"));
}

#[test]
fn turkish_dotless_i_is_kept_and_collides_by_skeleton() {
    let dotless = k("\u{0131}van@x.com");
    assert_eq!(dotless.key, "\u{0131}van@x.com");
    assert_eq!(dotless.confusable, None);
    assert_ne!(dotless.key, key("ivan@x.com"));
    assert_eq!(dotless.skeleton, k("ivan@x.com").skeleton);
    // The GitHub takeover: upper-casing ı gives I. We never upper-case.
    assert_eq!(key("I\u{0131}@x.com"), "i\u{0131}@x.com");
}

#[test]
fn kelvin_sign_is_confusable() {
    let got = k("\u{212A}im@x.com");
    assert_eq!(got.key, "kim@x.com");
    assert!(reason("\u{212A}im@x.com").contains("U+212A"));
    assert!(reason("\u{212A}im@x.com").contains("NFC"));
    // Case-sensitive: NFC alone already makes it ASCII.
    let cs = KeyOptions {
        case_sensitive_local_part: true,
        ..KeyOptions::default()
    };
    let got = email_key("\u{212A}im@x.com", &cs).unwrap();
    assert_eq!(got.key, "Kim@x.com");
    assert!(got.confusable.is_some());
}

#[test]
fn long_s_is_confusable_by_nfkc() {
    let got = k("\u{017F}am@x.com");
    assert_eq!(got.key, "\u{017F}am@x.com");
    assert_eq!(got.nfkc_key, "sam@x.com");
    assert!(reason("\u{017F}am@x.com").contains("NFKC"));
}

#[test]
fn compatibility_forms_are_kept_in_the_key_but_flagged() {
    for (raw, key_want, nfkc_want) in [
        ("ｆｏｏ@x.com", "ｆｏｏ@x.com", "foo@x.com"),
        ("ＦＯＯ@x.com", "ｆｏｏ@x.com", "foo@x.com"),
        ("\u{FB01}x@x.com", "\u{FB01}x@x.com", "fix@x.com"),
        ("\u{1D41B}ob@x.com", "\u{1D41B}ob@x.com", "bob@x.com"),
        ("\u{1D401}ob@x.com", "\u{1D401}ob@x.com", "bob@x.com"),
    ] {
        let got = k(raw);
        assert_eq!(got.key, key_want, "{raw}");
        assert_eq!(got.nfkc_key, nfkc_want, "{raw}");
        assert!(
            got.confusable
                .as_deref()
                .is_some_and(|r| r.contains("compatibility")),
            "{raw}"
        );
    }
}

#[test]
fn cyrillic_look_alike_is_mixed_script_and_skeleton_equal() {
    let fake = k("\u{0440}\u{0430}ypal@x.com");
    let real = k("paypal@x.com");
    assert_ne!(fake.key, real.key);
    assert_eq!(fake.skeleton, real.skeleton);
    assert!(fake
        .confusable
        .as_deref()
        .is_some_and(|r| r.contains("mixes scripts") && r.contains("Cyrillic")));
    assert_eq!(real.confusable, None);
    // Whole-script Cyrillic is single-script: only the cross-side skeleton catches it.
    let whole = k("\u{0440}\u{0430}\u{0443}@x.com");
    assert_eq!(whole.confusable, None);
    assert_eq!(whole.skeleton, k("pay@x.com").skeleton);
}

#[test]
fn common_characters_do_not_count_as_a_script() {
    clean("ivan.petrov_1+x-y@x.com");
    clean("иван.петров_1+2-3@x.com");
    clean("山田.123@x.jp");
    clean("やまだ山田@x.jp");
    // UTS #39's single-script test has no exception for Latin + Han (a restriction level
    // would): such a local part is flagged and left to an admin.
    assert!(reason("山田.taro@x.jp").contains("mixes scripts"));
    clean("ελένη@x.gr");
}

#[test]
fn unassigned_or_private_use_characters_are_confusable() {
    assert!(reason("a\u{E000}@x.com").contains("no script"));
}

#[test]
fn nfc_producing_a_forbidden_character_is_invalid() {
    // U+037E GREEK QUESTION MARK is canonically ';'.
    assert_err("a\u{037E}b@x.com", "after normalisation");
}

#[test]
fn case_sensitive_option() {
    let cs = KeyOptions {
        case_sensitive_local_part: true,
        ..KeyOptions::default()
    };
    let got = email_key("John.Doe@X.COM", &cs).unwrap();
    assert_eq!(got.key, "John.Doe@x.com");
    assert_ne!(got.key, email_key("john.doe@x.com", &cs).unwrap().key);
    assert_eq!(
        email_key("\u{0130}@x.com", &cs).unwrap().key,
        "\u{0130}@x.com"
    );
    // Case-sensitive NFKC keeps case too.
    assert_eq!(
        email_key("ＦＯＯ@x.com", &cs).unwrap().nfkc_key,
        "FOO@x.com"
    );
}

#[test]
fn plus_tag_option() {
    assert_ne!(key("a.b+x@x.com"), key("a.b@x.com"));
    assert_ne!(key("a.b+x@x.com"), key("ab@x.com"));
    let strip = KeyOptions {
        strip_plus_tag: true,
        ..KeyOptions::default()
    };
    let s = |raw: &str| email_key(raw, &strip);
    assert_eq!(s("A.B+News+More@x.com").unwrap().key, "a.b@x.com");
    assert_eq!(s("a.b@x.com").unwrap().key, "a.b@x.com");
    assert!(s("+x@x.com")
        .unwrap_err()
        .message
        .contains("empty once the +tag is removed"));
    assert!(s("a.+x@x.com")
        .unwrap_err()
        .message
        .contains("ends with '.' once the +tag is removed"));
    // A look-alike inside the removed tag does not matter.
    assert_eq!(s("a+\u{212A}@x.com").unwrap().confusable, None);
}

#[test]
fn options_deserialise_with_defaults() {
    let o: KeyOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o, KeyOptions::default());
    let o: KeyOptions = serde_json::from_str(r#"{"stripPlusTag":true}"#).unwrap();
    assert!(o.strip_plus_tag && !o.case_sensitive_local_part);
    let json = serde_json::to_value(k("a@x.com")).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"key": "a@x.com", "skeleton": "a@x.corn", "nfkcKey": "a@x.com"})
    );
}

#[test]
fn ascii_address_keys() {
    let got = k("Bob.Smith@Example.COM");
    assert_eq!(got.key, "bob.smith@example.com");
    assert_eq!(got.nfkc_key, got.key);
    assert_eq!(got.confusable, None);
    assert_eq!(got.skeleton, "bob.srnith@exarnple.corn");
}

// ---- ConfusableIndex ----

#[test]
fn index_flags_skeleton_collision() {
    let other_side = [k("paypal@x.com"), k("bob@x.com")];
    let index = ConfusableIndex::new(&other_side);
    let why = index.conflict(&k("\u{0440}\u{0430}ypal@x.com")).unwrap();
    assert!(
        why.contains("'paypal@x.com'") && why.contains("skeleton"),
        "{why}"
    );
    // Dotless i and digit/letter look-alikes too.
    let index = ConfusableIndex::new(&[k("ivan@x.com"), k("bill@x.com")]);
    assert!(index.conflict(&k("\u{0131}van@x.com")).is_some());
    assert!(index.conflict(&k("bi1l@x.com")).is_some());
}

#[test]
fn index_exact_match_is_not_a_collision() {
    let index = ConfusableIndex::new(&[k("paypal@x.com"), k("paypal@x.com")]);
    assert_eq!(index.conflict(&k("PayPal@x.com")), None);
    assert_eq!(index.conflict(&k("someone@x.com")), None);
}

#[test]
fn index_exact_match_plus_look_alike_is_a_collision() {
    let index = ConfusableIndex::new(&[k("paypal@x.com"), k("\u{0440}\u{0430}ypal@x.com")]);
    let why = index.conflict(&k("paypal@x.com")).unwrap();
    assert!(why.contains("\u{0440}\u{0430}ypal@x.com"), "{why}");
}

#[test]
fn index_flags_nfkc_only_difference() {
    let index = ConfusableIndex::new(&[k("foo@x.com")]);
    let why = index.conflict(&k("ｆｏｏ@x.com")).unwrap();
    assert!(why.contains("NFKC") && why.contains("'foo@x.com'"), "{why}");
    // And the other way round.
    let index = ConfusableIndex::new(&[k("\u{FB01}x@x.com")]);
    assert!(index.conflict(&k("fix@x.com")).unwrap().contains("NFKC"));
}

#[test]
fn index_message_is_independent_of_insertion_order() {
    let a = [k("rn@x.com"), k("\u{0440}n@x.com"), k("m@x.com")];
    let b = [k("m@x.com"), k("\u{0440}n@x.com"), k("rn@x.com")];
    let probe = k("\u{217F}@x.com"); // SMALL ROMAN NUMERAL ONE THOUSAND
    let (ia, ib) = (ConfusableIndex::new(&a), ConfusableIndex::new(&b));
    assert!(ia.conflict(&probe).is_some());
    assert_eq!(ia.conflict(&probe), ib.conflict(&probe));
    assert_eq!(ia.conflict(&k("m@x.com")), ib.conflict(&k("m@x.com")));
}

#[test]
fn index_compares_domains_by_how_they_look() {
    let index = ConfusableIndex::new(&[k("a@paypal.com")]);
    assert!(index.conflict(&k("a@\u{0440}\u{0430}ypal.com")).is_some());
    assert_eq!(index.conflict(&k("a@PAYPAL.com")), None);
}

// ---- properties ----

/// Characters that exercise every rule: ASCII structure, case pairs, canonical and
/// compatibility forms, look-alikes, combining marks, scripts, dots UTS #46 maps.
fn tricky_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        'a',
        'b',
        'K',
        'S',
        'i',
        'I',
        'x',
        'n',
        '-',
        '-',
        '.',
        '.',
        '+',
        '_',
        '@',
        '@',
        '1',
        '"',
        '(',
        ' ',
        'é',
        'E',
        '\u{0301}',
        '\u{0307}',
        '\u{0338}',
        '=',
        '\u{212A}',
        '\u{0130}',
        '\u{0131}',
        'ß',
        '\u{1E9E}',
        '\u{017F}',
        'ｅ',
        'Ｅ',
        '\u{FB01}',
        '\u{1D41B}',
        'а',
        'р',
        'Σ',
        'σ',
        'ς',
        'ü',
        'Ü',
        '\u{3002}',
        '\u{FF0E}',
        '\u{037E}',
        '\u{2126}',
        'ل',
        '山',
        '\u{200B}',
        '\u{FEFF}',
        '\u{FFFD}',
        '\u{00AD}',
        'ǅ',
        'ﬀ',
        '²',
        'ª',
    ])
}

fn tricky_string() -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..24).prop_map(|v| v.into_iter().collect())
}

/// Mostly well-formed addresses so the idempotence property is not vacuous.
fn address() -> impl Strategy<Value = String> {
    let label = prop_oneof![
        Just("xn--bcher-kva".to_string()),
        Just("XN--FA-HIA".to_string()),
        "[a-zA-Z0-9]{1,5}",
        "[a-z]{1,2}-[a-z0-9]{1,3}",
        prop::collection::vec(tricky_char(), 1..6).prop_map(|v| v.into_iter().collect()),
    ];
    let plausible_local = prop::collection::vec(
        tricky_char().prop_filter("plausible", |c| {
            !"@ \"(\u{200B}\u{FEFF}\u{FFFD}\u{00AD}.".contains(*c)
        }),
        1..12,
    )
    .prop_map(|v| v.into_iter().collect::<String>());
    let local = prop_oneof![tricky_string(), plausible_local];
    (local, prop::collection::vec(label, 1..4)).prop_map(|(l, d)| format!("{l}@{}", d.join(".")))
}

fn options() -> impl Strategy<Value = KeyOptions> {
    (any::<bool>(), any::<bool>()).prop_map(|(c, s)| KeyOptions {
        case_sensitive_local_part: c,
        strip_plus_tag: s,
    })
}

fn check_idempotent(raw: &str, opts: &KeyOptions) -> std::result::Result<(), TestCaseError> {
    if let Ok(first) = email_key(raw, opts) {
        let again = email_key(&first.key, opts);
        prop_assert!(
            again.is_ok(),
            "key {:?} of {:?} is invalid: {:?}",
            first.key,
            raw,
            again
        );
        let again = again.unwrap();
        prop_assert_eq!(&again.key, &first.key);
        prop_assert_eq!(&again.skeleton, &first.skeleton);
        prop_assert_eq!(&again.nfkc_key, &first.nfkc_key);
        // Re-keying can only lose a reason the original spelling had, never gain one.
        prop_assert!(again.confusable.is_none() || first.confusable.is_some());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_string(s in any::<String>(), opts in options()) {
        let _ = email_key(&s, &opts);
    }

    #[test]
    fn key_of_key_is_key(raw in address(), opts in options()) {
        check_idempotent(&raw, &opts)?;
    }

    #[test]
    fn key_of_key_is_key_on_arbitrary_text(raw in tricky_string(), opts in options()) {
        check_idempotent(&raw, &opts)?;
    }

    /// The ASCII fast path and the pre-checks agree with idna on every ASCII domain.
    #[test]
    fn ascii_domains_agree_with_idna(d in "([a-zA-Z0-9-]{0,6}|xn--[a-z0-9-]{0,6})(\\.([a-zA-Z0-9-_]{0,5}|xn--[a-z0-9]{1,6})){0,3}\\.?") {
        use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
        let want = Uts46::new()
            .to_ascii(d.as_bytes(), AsciiDenyList::STD3, Hyphens::Check, DnsLength::Verify)
            .map(|c| c.to_ascii_lowercase())
            .ok();
        let got = domain::normalise(&d).ok().map(|dom| dom.ascii);
        prop_assert_eq!(&got, &want, "domain {:?}", d);
        if let Some(fast) = domain::ldh_fast_path(&d) {
            prop_assert_eq!(Some(fast), want);
        }
    }
}

#[test]
fn ascii_fast_path_agrees_with_idna_on_long_domains() {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
    for d in [
        format!("{}.com", "a".repeat(63)),
        format!("{}.com", "a".repeat(64)),
        vec!["b".repeat(63); 4].join("."),
        format!(
            "{}.{}.{}.{}",
            "b".repeat(63),
            "b".repeat(63),
            "b".repeat(63),
            "b".repeat(61)
        ),
    ] {
        let want = Uts46::new()
            .to_ascii(
                d.as_bytes(),
                AsciiDenyList::STD3,
                Hyphens::Check,
                DnsLength::Verify,
            )
            .map(|c| c.to_ascii_lowercase())
            .ok();
        assert_eq!(domain::normalise(&d).ok().map(|x| x.ascii), want, "{d}");
    }
}
