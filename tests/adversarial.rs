//! Look-alike emails through Auto Sync (docs/identity.md, docs/matching.md): a corpus of address pairs that must
//! never be auto-mapped to each other and pairs that must, each with its reason. Every pair
//! runs in both directions (the CXone user's address, then the external account's, and the
//! other way round), through the public API only: `PresenceState` load, plan, apply.

use jiff::Timestamp;
use usersync::core::email_key::email_key;
use usersync::core::email_key::KeyOptions;
use usersync::core::mapping::{
    MappingStatus, Method, PresenceSettings, PresenceState, Reason, UnitRef,
};
use usersync::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};

#[derive(Clone, Copy)]
enum Opts {
    Default,
    CaseSensitive,
    StripPlus,
}

/// One pair: the two addresses, the settings they run under, and why the outcome is right.
struct Pair {
    a: &'static str,
    b: &'static str,
    opts: Opts,
    why: &'static str,
}

const fn p(a: &'static str, b: &'static str, why: &'static str) -> Pair {
    Pair {
        a,
        b,
        opts: Opts::Default,
        why,
    }
}

const fn with(opts: Opts, a: &'static str, b: &'static str, why: &'static str) -> Pair {
    Pair { a, b, opts, why }
}

/// Pairs that must never auto-map: a different person's account that looks the same, or an
/// address that cannot be trusted as a key at all.
const MUST_NOT_MAP: &[Pair] = &[
    // A non-ASCII character that turns into ASCII under NFC or lower-casing.
    p(
        "kim@example.com",
        "\u{212A}im@example.com",
        "Kelvin sign U+212A lower-cases to k",
    ),
    p(
        "kelly@example.com",
        "\u{212A}ELLY@example.com",
        "Kelvin sign in an upper-case address",
    ),
    p(
        "iris@example.com",
        "\u{0130}ris@example.com",
        "dotted capital I U+0130 lower-cases to i + U+0307",
    ),
    p(
        "sam@example.com",
        "\u{017F}am@example.com",
        "long s U+017F is an s to the eye",
    ),
    p(
        "ann@example.com",
        "\u{212B}nn@example.com",
        "Angstrom sign U+212B NFCs to a letter",
    ),
    p(
        "kim@example.com",
        "k\u{0131}m@example.com",
        "dotless i U+0131 looks like i",
    ),
    // Compatibility forms: equal under NFKC only.
    p(
        "ann@example.com",
        "\u{FF41}nn@example.com",
        "fullwidth a U+FF41",
    ),
    p(
        "ann@example.com",
        "\u{FF41}\u{FF4E}\u{FF4E}@example.com",
        "fully fullwidth local part",
    ),
    p(
        "finn@example.com",
        "\u{FB01}nn@example.com",
        "fi ligature U+FB01",
    ),
    p(
        "ann@example.com",
        "\u{1D41A}nn@example.com",
        "mathematical bold a U+1D41A",
    ),
    p(
        "ann@example.com",
        "\u{24D0}nn@example.com",
        "circled a U+24D0",
    ),
    p(
        "ann2@example.com",
        "ann\u{00B2}@example.com",
        "superscript two U+00B2",
    ),
    p(
        "ann1@example.com",
        "ann\u{FF11}@example.com",
        "fullwidth digit one U+FF11",
    ),
    p(
        "iv@example.com",
        "\u{2173}@example.com",
        "small roman numeral four U+2173",
    ),
    p(
        "ann.lee@example.com",
        "ann\u{2024}lee@example.com",
        "one dot leader U+2024 NFKCs to '.'",
    ),
    // Other scripts that look Latin (whole or mixed).
    p(
        "ann@example.com",
        "\u{0430}nn@example.com",
        "Cyrillic a U+0430 mixed with Latin",
    ),
    p(
        "oleg@example.com",
        "\u{043E}leg@example.com",
        "Cyrillic o U+043E",
    ),
    p(
        "peter@example.com",
        "\u{0440}eter@example.com",
        "Cyrillic er U+0440 looks like p",
    ),
    p(
        "cecil@example.com",
        "\u{0441}ecil@example.com",
        "Cyrillic es U+0441 looks like c",
    ),
    p(
        "xena@example.com",
        "\u{0445}ena@example.com",
        "Cyrillic ha U+0445 looks like x",
    ),
    p(
        "ayo@example.com",
        "\u{0430}\u{0443}\u{043E}@example.com",
        "whole-script Cyrillic look-alike",
    ),
    p(
        "nico@example.com",
        "nic\u{03BF}@example.com",
        "Greek omicron U+03BF",
    ),
    p(
        "vivi@example.com",
        "\u{03BD}ivi@example.com",
        "Greek nu U+03BD looks like v",
    ),
    p(
        "james@example.com",
        "\u{0458}ames@example.com",
        "Cyrillic je U+0458 looks like j",
    ),
    p(
        "ann@example.com",
        "ann@ex\u{0430}mple.com",
        "Cyrillic a in the domain",
    ),
    p(
        "ann@paypal.com",
        "ann@p\u{0430}yp\u{0430}l.com",
        "Cyrillic letters in a brand domain",
    ),
    p(
        "ann@apple.com",
        "ann@xn--80ak6aa92e.com",
        "punycode of a whole-Cyrillic 'apple'",
    ),
    p(
        "ann@google.com",
        "ann@g\u{043E}\u{043E}gle.com",
        "Cyrillic o's in the domain",
    ),
    // Confusable ASCII sequences and characters: different keys, and nothing else may join them.
    p(
        "mary@example.com",
        "rnary@example.com",
        "'rn' looks like 'm'",
    ),
    p(
        "paypal@example.com",
        "paypa1@example.com",
        "digit 1 for letter l",
    ),
    p(
        "bill@example.com",
        "biII@example.com",
        "capital I for l (case-insensitive: 'biii')",
    ),
    p(
        "ann@example.com",
        "ann@examp1e.com",
        "digit 1 for l in the domain",
    ),
    p(
        "ann@example.com",
        "ann@example.co",
        "a different top-level domain",
    ),
    p("oscar@example.com", "0scar@example.com", "zero for O"),
    // No provider rules (dots, plus tags) and no folding beyond the documented rules.
    p(
        "ann@example.com",
        "ann+sales@example.com",
        "+tag is part of the address by default",
    ),
    p(
        "ann@example.com",
        "a.nn@example.com",
        "dots are significant",
    ),
    p(
        "strasse@example.com",
        "stra\u{00DF}e@example.com",
        "no case-folding of sharp s to ss",
    ),
    p(
        "ann@fass.de",
        "ann@fa\u{00DF}.de",
        "UTS #46 non-transitional keeps sharp s in domains",
    ),
    p(
        "jose@example.com",
        "jos\u{00E9}@example.com",
        "no accent stripping",
    ),
    p(
        "jose@example.com",
        "jose\u{0301}@example.com",
        "a combining accent is a different letter",
    ),
    p(
        "muller@example.com",
        "m\u{00FC}ller@example.com",
        "u-umlaut is not u",
    ),
    with(
        Opts::CaseSensitive,
        "ann@example.com",
        "Ann@example.com",
        "case-sensitive local parts",
    ),
    with(
        Opts::StripPlus,
        "ann+x@example.com",
        "anna@example.com",
        "stripping a tag never merges names",
    ),
    // Characters that make the address invalid, so it never matches anything.
    p(
        "ann@example.com",
        "a\u{200B}nn@example.com",
        "zero-width space",
    ),
    p(
        "ann@example.com",
        "an\u{200D}n@example.com",
        "zero-width joiner",
    ),
    p(
        "ann@example.com",
        "\u{FEFF}ann@example.com",
        "byte-order mark (JS trim would strip it, Rust keeps it)",
    ),
    p("ann@example.com", "an\u{00AD}n@example.com", "soft hyphen"),
    p(
        "ann@example.com",
        "\u{202E}nna@example.com",
        "right-to-left override",
    ),
    p("ann@example.com", "ann\u{2060}@example.com", "word joiner"),
    p("ann@example.com", "an n@example.com", "inner space"),
    p("ann@example.com", "ann\t@example.com", "inner tab"),
    p(
        "ann@example.com",
        "ann@example.com.",
        "trailing dot in the domain",
    ),
    p(
        "ann@example.com",
        "\"ann\"@example.com",
        "quoted local part",
    ),
    p(
        "ann@example.com",
        "ann(work)@example.com",
        "comment in the address",
    ),
    p("ann@example.com", "ann@@example.com", "two '@'"),
    p("ann@127.0.0.1", "ann@[127.0.0.1]", "IP-address literal"),
    p(
        "ann@example.com",
        "ann@exa_mple.com",
        "STD3 rules: underscore in a domain",
    ),
    p(
        "ann@example.com",
        "ann@-example.com",
        "a label may not start with a hyphen",
    ),
    p("ann@example.com", "ann@example.com\u{0000}", "NUL byte"),
];

/// Pairs that must auto-map: the same person's address written two harmless ways.
const MUST_MAP: &[Pair] = &[
    p("ann@example.com", "ann@example.com", "identical"),
    p(
        "ann@example.com",
        "Ann@Example.com",
        "local parts are case-insensitive by default",
    ),
    p("ann@example.com", "ANN@EXAMPLE.COM", "all upper case"),
    p(
        "ann@example.com",
        "ann@EXAMPLE.com",
        "domains are case-insensitive",
    ),
    p(
        "ann@example.com",
        "  ann@example.com ",
        "surrounding spaces are trimmed",
    ),
    p(
        "ann@example.com",
        "\tann@example.com\n",
        "surrounding tab and newline are trimmed",
    ),
    p(
        "ann@example.com",
        "\u{00A0}ann@example.com\u{00A0}",
        "surrounding no-break spaces are trimmed",
    ),
    p(
        "ann@b\u{00FC}cher.de",
        "ann@xn--bcher-kva.de",
        "a Unicode domain and its punycode",
    ),
    p(
        "ann@b\u{00FC}cher.de",
        "ann@B\u{00DC}CHER.DE",
        "a Unicode domain in upper case",
    ),
    p(
        "ann@b\u{00FC}cher.de",
        "ann@bu\u{0308}cher.de",
        "a decomposed domain (UTS #46 normalises)",
    ),
    p(
        "ann@example.com",
        "ann@\u{FF45}\u{FF58}\u{FF41}\u{FF4D}\u{FF50}\u{FF4C}\u{FF45}.com",
        "fullwidth domain: UTS #46 maps it",
    ),
    p(
        "ann@example.com",
        "ann@example\u{3002}com",
        "ideographic full stop in the domain",
    ),
    p(
        "jos\u{00E9}@example.com",
        "jose\u{0301}@example.com",
        "NFC and NFD of the same letter",
    ),
    p(
        "m\u{00FC}ller@example.com",
        "M\u{00DC}LLER@example.com",
        "non-ASCII local part in upper case",
    ),
    p(
        "\u{0438}\u{0432}\u{0430}\u{043D}@example.ru",
        "\u{0418}\u{0412}\u{0410}\u{041D}@example.ru",
        "whole-script Cyrillic, case-insensitive",
    ),
    p(
        "\u{03B1}\u{03BB}\u{03AD}\u{03BE}\u{03B7}\u{03C2}@example.gr",
        "\u{0391}\u{039B}\u{0388}\u{039E}\u{0397}\u{03A3}@example.gr",
        "whole-script Greek with final sigma",
    ),
    p(
        "\u{5C71}\u{7530}@example.jp",
        "\u{5C71}\u{7530}@example.jp",
        "Han local part",
    ),
    p(
        "\u{0639}\u{0644}\u{064A}@example.com",
        "\u{0639}\u{0644}\u{064A}@example.com",
        "Arabic local part",
    ),
    p(
        "ann@m\u{00FC}nchen.de",
        "ANN@xn--mnchen-3ya.de",
        "ASCII local part, punycode domain",
    ),
    with(
        Opts::StripPlus,
        "ann@example.com",
        "ann+sales@example.com",
        "the +tag setting strips tags",
    ),
    with(
        Opts::StripPlus,
        "ann+a@example.com",
        "ann+b@example.com",
        "two tags of one address",
    ),
    with(
        Opts::CaseSensitive,
        "Ann@example.com",
        "Ann@EXAMPLE.com",
        "case-sensitive local part, domain still folded",
    ),
    p(
        "ann+x@example.com",
        "ann+x@example.com",
        "a +tag on both sides",
    ),
    p(
        "a.n.n@example.com",
        "A.N.N@example.com",
        "dots on both sides",
    ),
    p(
        "ann_lee-2@example.com",
        "Ann_Lee-2@example.com",
        "underscore, hyphen and digits",
    ),
    p("o'brien@example.com", "O'Brien@example.com", "apostrophe"),
    p(
        "x!#$%&*=?^`{|}~@example.com",
        "X!#$%&*=?^`{|}~@example.com",
        "every ASCII special of RFC 5322 atoms",
    ),
    p(
        "ann@mail.eu.example.com",
        "ann@MAIL.EU.EXAMPLE.COM",
        "deep subdomain",
    ),
    p(
        "ann@123.example.com",
        "ann@123.example.com",
        "a numeric label",
    ),
    p(
        "ann@xn--bcher-kva.de",
        "ANN@XN--BCHER-KVA.DE",
        "punycode in upper case",
    ),
    p(
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk@example.com",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJK@example.com",
        "a 63-character local part",
    ),
];

fn settings(opts: Opts) -> PresenceSettings {
    let key = match opts {
        Opts::Default => KeyOptions::default(),
        Opts::CaseSensitive => KeyOptions {
            case_sensitive_local_part: true,
            strip_plus_tag: false,
        },
        Opts::StripPlus => KeyOptions {
            case_sensitive_local_part: false,
            strip_plus_tag: true,
        },
    };
    PresenceSettings {
        key,
        ..Default::default()
    }
}

/// What Auto Sync left for the one user: status, method, linked account, reason.
struct Outcome {
    status: MappingStatus,
    method: Option<Method>,
    linked: Option<String>,
    reason: Option<Reason>,
}

/// Runs Auto Sync (plan, retry, apply) for one CXone user with address `src` against a
/// directory holding one account with address `ext`.
fn run(src: &str, ext: &str, opts: Opts) -> Outcome {
    let unit = UnitRef::new("bu1", "ringcentral");
    let mut state = PresenceState::new(settings(opts)).expect("settings");
    let user = SourceUser {
        id: "u1".into(),
        email: Some(src.into()),
        permissions: Some(vec![PERM_USER_MAPPING_MAP.into()]),
        ..Default::default()
    };
    let account = ExternalUser {
        id: "e1".into(),
        email: Some(ext.into()),
        ..Default::default()
    };
    state.load_sources(&unit, vec![user]).expect("sources");
    state
        .load_directory(&unit, vec![account.clone()])
        .expect("directory");
    let now = Timestamp::from_second(1_750_000_000).expect("time");
    state.plan_auto_sync(&unit, "r1".into(), now).expect("plan");
    // The retry pass with the account re-fetched must not change the verdict either.
    state
        .retry_auto_sync("r1", Some(vec![account]), now)
        .expect("retry");
    state
        .apply_plan(
            "r1",
            &usersync::core::mapping::Actor::with_map("auto"),
            false,
            now,
        )
        .expect("apply");
    let m = state
        .unit(&unit)
        .and_then(|u| u.mapping("u1"))
        .expect("a mapping for u1");
    Outcome {
        status: m.status,
        method: m.method,
        linked: m.external_id.clone(),
        reason: m.reason,
    }
}

fn show(s: &str) -> String {
    s.escape_debug().to_string()
}

#[test]
fn the_corpus_is_big_enough_and_every_pair_has_a_reason() {
    assert!(
        MUST_NOT_MAP.len() >= 50,
        "{} look-alike pairs",
        MUST_NOT_MAP.len()
    );
    assert!(MUST_MAP.len() >= 30, "{} matching pairs", MUST_MAP.len());
    for pair in MUST_NOT_MAP.iter().chain(MUST_MAP) {
        assert!(
            !pair.why.is_empty(),
            "pair {} / {} has no reason",
            show(pair.a),
            show(pair.b)
        );
    }
}

#[test]
fn look_alike_addresses_never_auto_map() {
    let mut wrong = Vec::new();
    for pair in MUST_NOT_MAP {
        for (src, ext) in [(pair.a, pair.b), (pair.b, pair.a)] {
            let Outcome {
                status,
                method,
                linked,
                ..
            } = run(src, ext, pair.opts);
            if status == MappingStatus::Mapped || linked.is_some() {
                wrong.push(format!(
                    "{} -> {} was {status:?} ({method:?}); must not map: {}",
                    show(src),
                    show(ext),
                    pair.why
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "wrong-person mappings:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn equivalent_addresses_auto_map() {
    let mut missed = Vec::new();
    for pair in MUST_MAP {
        for (src, ext) in [(pair.a, pair.b), (pair.b, pair.a)] {
            let Outcome {
                status,
                method,
                linked,
                ..
            } = run(src, ext, pair.opts);
            if status != MappingStatus::Mapped
                || method != Some(Method::Auto)
                || linked.as_deref() != Some("e1")
            {
                missed.push(format!(
                    "{} -> {} was {status:?}; must map: {}",
                    show(src),
                    show(ext),
                    pair.why
                ));
            }
        }
    }
    assert!(missed.is_empty(), "missed mappings:\n{}", missed.join("\n"));
}

#[test]
fn a_look_alike_beside_the_real_account_blocks_nothing_but_itself() {
    // The real account and its look-alike in one directory: the real user maps to the real
    // account only if the look-alike cannot be confused with it; either way never to the
    // look-alike.
    let unit = UnitRef::new("bu1", "ringcentral");
    let mut state = PresenceState::new(PresenceSettings::default()).expect("settings");
    let mut users = Vec::new();
    let mut accounts = Vec::new();
    for (i, pair) in MUST_NOT_MAP
        .iter()
        .filter(|p| matches!(p.opts, Opts::Default))
        .enumerate()
    {
        users.push(SourceUser {
            id: format!("u{i}"),
            email: Some(pair.a.into()),
            permissions: Some(vec![PERM_USER_MAPPING_MAP.into()]),
            ..Default::default()
        });
        accounts.push(ExternalUser {
            id: format!("fake{i}"),
            email: Some(pair.b.into()),
            ..Default::default()
        });
    }
    state.load_sources(&unit, users).expect("sources");
    state.load_directory(&unit, accounts).expect("directory");
    let now = Timestamp::from_second(1_750_000_000).expect("time");
    state.plan_auto_sync(&unit, "r1".into(), now).expect("plan");
    state
        .apply_plan(
            "r1",
            &usersync::core::mapping::Actor::with_map("auto"),
            true,
            now,
        )
        .expect("apply");
    let u = state.unit(&unit).expect("unit");
    let linked: Vec<String> = u
        .mappings()
        .filter_map(|m| m.linked().map(|e| format!("{} -> {e}", m.user_id)))
        .collect();
    assert!(
        linked.is_empty(),
        "look-alike accounts were linked: {linked:?}"
    );
}

#[test]
fn look_alikes_are_left_for_an_admin_with_the_right_reason() {
    // Equal skeletons (or equal keys from different spellings) flag `confusable` on
    // both sides; an invalid address on the CXone side is `invalid_email`. Different keys
    // that do not look alike are plain `no_match`.
    let mut wrong = Vec::new();
    let mut flagged = 0;
    for pair in MUST_NOT_MAP {
        let opts = settings(pair.opts).key;
        for (src, ext) in [(pair.a, pair.b), (pair.b, pair.a)] {
            let want = match (email_key(src, &opts), email_key(ext, &opts)) {
                (Err(_), _) => Reason::InvalidEmail,
                (Ok(_), Err(_)) => Reason::NoMatch,
                (Ok(s), Ok(e)) if s.key == e.key || s.skeleton == e.skeleton => Reason::Confusable,
                (Ok(s), Ok(_)) if s.confusable.is_some() => Reason::Confusable,
                (Ok(_), Ok(_)) => continue,
            };
            flagged += usize::from(want == Reason::Confusable);
            let got = run(src, ext, pair.opts).reason;
            if got != Some(want) {
                wrong.push(format!(
                    "{} -> {}: {got:?}, want {want:?} ({})",
                    show(src),
                    show(ext),
                    pair.why
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "wrong reasons:\n{}", wrong.join("\n"));
    // The corpus exercises the look-alike defences, not only addresses that differ anyway.
    assert!(flagged >= 50, "only {flagged} directions are look-alikes");
}

/// Hostile sizes through the core (the JS suite repeats these through the package).
mod hostile_sizes {
    use usersync::core::email_key::{email_key, KeyOptions};
    use usersync::core::intake::{intake_source_bytes, CsvOptions, InputFormat};
    use usersync::core::ErrorCode;

    /// 1 MB here: the paths are linear, and this debug build scans a 10 MB address in
    /// seconds per case. The JS suite runs the full 10 MB through the release package.
    const HUGE: usize = 1 << 20;

    #[test]
    fn a_huge_address_is_refused_with_a_short_message() {
        let big = "a".repeat(HUGE);
        for email in [
            format!("{big}@example.com"),
            format!("a@{big}.com"),
            format!("a@{big}."),
            format!("a@[{big}]"),
            format!("a@-{big}"),
            format!("a@{big}\u{0430}.com"),
            format!("{big}\u{200B}@example.com"),
        ] {
            let err = email_key(&email, &KeyOptions::default()).expect_err("too long");
            assert_eq!(err.code, ErrorCode::InvalidEmail);
            assert!(
                err.message.len() < 1024,
                "a {}-byte message: {}...",
                err.message.len(),
                &err.message[..80]
            );
        }
    }

    #[test]
    fn files_with_huge_fields_give_a_report_with_short_messages() {
        let big = "a".repeat(HUGE);
        for (format, bytes) in [
            (InputFormat::Ndjson, format!("{{\"id\":\"a\",\"email\":\"x@{big}.\"}}\n{{\"id\":\"{big}\",\"active\":\"{big}\"}}\n")),
            (InputFormat::Csv, format!("id,email,active\na,x@{big}.,true\nb,,{big}\n")),
            (InputFormat::Json, format!("[{{\"id\":\"a\",\"{big}\":1,\"updatedAt\":\"{big}\"}}]")),
        ] {
            let intake = intake_source_bytes(bytes.as_bytes(), format, &CsvOptions::default()).expect("a report");
            let r = &intake.report;
            assert_eq!(r.received, r.accepted + r.rejected.len());
            for rej in &r.rejected {
                assert!(rej.message.len() < 4096, "{format:?}: a {}-byte message", rej.message.len());
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_or_a_rejection_not_a_stack_overflow() {
        let deep = 1_000_000;
        let csv = CsvOptions::default();
        let file = "[".repeat(deep);
        let err =
            intake_source_bytes(file.as_bytes(), InputFormat::Json, &csv).expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidInput);
        let file = format!("[{{\"id\":\"a\",\"x\":{}", "{\"a\":".repeat(deep));
        assert!(intake_source_bytes(file.as_bytes(), InputFormat::Json, &csv).is_err());
        let lines = format!(
            "{{\"id\":\"a\",\"x\":{}\n{{\"id\":\"b\"}}\n",
            "[".repeat(deep)
        );
        let intake =
            intake_source_bytes(lines.as_bytes(), InputFormat::Ndjson, &csv).expect("a report");
        assert_eq!((intake.report.received, intake.report.accepted), (2, 1));
        assert_eq!(intake.report.rejected[0].line, Some(1));
    }
}
