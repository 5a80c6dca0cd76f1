use super::*;

fn user(id: &str, display: &str) -> ExternalUser {
    ExternalUser {
        id: id.into(),
        display_name: Some(display.into()),
        ..Default::default()
    }
}

fn ids(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.external_id.as_str()).collect()
}

fn directory() -> Vec<ExternalUser> {
    vec![
        user("1", "José Álvarez"),
        user("2", "Joseph Brown"),
        user("3", "Müller, Anna"),
        user("4", "Hans Mueller"),
        ExternalUser {
            id: "5".into(),
            first_name: Some("Zoë".into()),
            last_name: Some("Straße".into()),
            email: Some("zs@example.com".into()),
            ..Default::default()
        },
        user("6", "Ann Lee"),
    ]
}

#[test]
fn accent_and_case_insensitive() {
    let hits = search_external(&directory(), "jose", 10);
    assert_eq!(hits.first().map(|h| h.external_id.as_str()), Some("1"));
    assert_eq!(hits[0].display_name, "José Álvarez");
    let hits = search_external(&directory(), "ÁLVAREZ", 10);
    assert_eq!(ids(&hits), ["1"]);
    assert_eq!(
        ids(&search_external(&directory(), "zoe strasse", 10)),
        ["5"]
    );
}

#[test]
fn tokens_in_any_order_and_all_must_match() {
    assert_eq!(
        ids(&search_external(&directory(), "alvarez jose", 10)),
        ["1"]
    );
    assert_eq!(
        ids(&search_external(&directory(), "  Álvarez,   JOSÉ ", 10)),
        ["1"]
    );
    assert!(search_external(&directory(), "jose mueller", 10).is_empty());
}

#[test]
fn prefix_matches() {
    assert_eq!(ids(&search_external(&directory(), "alv", 10)), ["1"]);
    // "jos" is a prefix of both José and Joseph; the shorter completion scores higher.
    assert_eq!(ids(&search_external(&directory(), "jos", 10)), ["1", "2"]);
}

#[test]
fn typo_tolerant_within_budget() {
    assert_eq!(ids(&search_external(&directory(), "jsoe", 10)), ["1"]);
    assert_eq!(ids(&search_external(&directory(), "alvarex", 10)), ["1"]);
    // Two edits on an 8+ char token.
    let dir = vec![user("a", "Christopher Nolan")];
    assert_eq!(ids(&search_external(&dir, "christofer", 10)), ["a"]);
    // Under 4 chars no typo is allowed: "lea" must not find "Lee".
    assert!(search_external(&directory(), "lea", 10).is_empty());
    // 4-7 chars allow one edit, not two.
    assert!(search_external(&directory(), "jsoex", 10).is_empty());
}

#[test]
fn umlaut_folds_to_base_letter_and_ue_spelling_is_a_typo_match() {
    // Decision: no German transliteration (ü → ue); "MÜLLER" folds to "muller", which is an
    // exact match for Müller and one edit from Mueller, so both are found, Müller first.
    let hits = search_external(&directory(), "MÜLLER", 10);
    assert_eq!(ids(&hits), ["3", "4"]);
    assert!(hits[0].score > hits[1].score);
    let hits = search_external(&directory(), "mueller", 10);
    assert_eq!(ids(&hits), ["4", "3"]);
}

#[test]
fn ranking_exact_then_prefix_then_typo() {
    let dir = vec![
        user("typo", "Marx Typo"), // "mark" -> "marx": one edit
        user("prefix", "Markus Prefix"),
        user("exact", "Mark Exact"),
    ];
    let hits = search_external(&dir, "mark", 10);
    assert_eq!(ids(&hits), ["exact", "prefix", "typo"]);
    assert!(hits[0].score > hits[1].score && hits[1].score > hits[2].score);
}

#[test]
fn email_local_part_is_a_weaker_signal() {
    let dir = vec![
        ExternalUser {
            id: "e".into(),
            display_name: Some("Q".into()),
            email: Some("kim.park@x.io".into()),
            ..Default::default()
        },
        user("n", "Kim Park"),
    ];
    let hits = search_external(&dir, "park", 10);
    assert_eq!(ids(&hits), ["n", "e"]);
    assert!(hits[1].score < hits[0].score);
    // The domain is not searchable.
    assert!(search_external(&dir, "x.io", 10).is_empty());
}

#[test]
fn limit_is_respected_and_capped() {
    let dir: Vec<ExternalUser> = (0..250)
        .map(|i| user(&format!("{i:03}"), "Sam Smith"))
        .collect();
    assert_eq!(search_external(&dir, "smith", 7).len(), 7);
    assert_eq!(
        search_external(&dir, "smith", 10_000).len(),
        MAX_SEARCH_LIMIT
    );
    assert!(search_external(&dir, "smith", 0).is_empty());
}

#[test]
fn ties_are_broken_by_display_name_then_id_whatever_the_input_order() {
    let mut dir = vec![
        user("b", "Ann Zed"),
        user("c", "Ann Alpha"),
        user("a", "Ann Zed"),
    ];
    let first = ids(&search_external(&dir, "ann", 10)).join(",");
    assert_eq!(first, "c,a,b");
    dir.reverse();
    assert_eq!(ids(&search_external(&dir, "ann", 10)).join(","), first);
}

#[test]
fn inactive_accounts_rank_after_active_ones() {
    let dir = vec![
        ExternalUser {
            active: Some(false),
            ..user("old", "Rita Ora")
        },
        user("new", "Rita Orange"),
    ];
    let hits = search_external(&dir, "rita ora", 10);
    assert_eq!(
        ids(&hits),
        ["new", "old"],
        "exact match but inactive still comes last"
    );
    assert!(!hits[1].active);
}

#[test]
fn blank_or_symbol_only_query_returns_nothing() {
    for q in ["", "   ", "\t\n", "--", "@.,"] {
        assert!(search_external(&directory(), q, 10).is_empty(), "{q:?}");
    }
}

#[test]
fn html_in_names_is_returned_verbatim() {
    let dir = vec![user("x", "<b>Eve</b> <script>alert(1)</script>")];
    let hits = search_external(&dir, "eve", 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].display_name, "<b>Eve</b> <script>alert(1)</script>");
}

#[test]
fn names_come_from_first_last_and_user_name_too() {
    let dir = vec![
        ExternalUser {
            id: "u".into(),
            user_name: Some("jdoe@corp.example".into()),
            ..Default::default()
        },
        ExternalUser {
            id: "f".into(),
            first_name: Some("Jane".into()),
            last_name: Some("Roe".into()),
            ..Default::default()
        },
    ];
    assert_eq!(ids(&search_external(&dir, "jdoe", 10)), ["u"]);
    assert!(
        search_external(&dir, "corp", 10).is_empty(),
        "user name domain is not a name"
    );
    let hits = search_external(&dir, "roe jane", 10);
    assert_eq!(ids(&hits), ["f"]);
    assert_eq!(hits[0].display_name, "Jane Roe");
}

#[test]
fn index_is_reusable_and_serialises_camel_case() {
    let index = NameIndex::new(&directory());
    assert_eq!(index.len(), 6);
    assert_eq!(ids(&index.search("ann", 10)), ["6", "3"]);
    assert_eq!(ids(&index.search("hans", 10)), ["4"]);
    let json = serde_json::to_value(&index.search("hans", 1)[0]).unwrap();
    assert_eq!(json["externalId"], "4");
    assert_eq!(json["displayName"], "Hans Mueller");
    assert!(json.get("email").is_none());
}

#[test]
fn full_width_and_ligatures_fold() {
    let dir = vec![user("w", "Ｗｅｉ Ｚｈａｎｇ"), user("f", "ﬁona")];
    assert_eq!(ids(&search_external(&dir, "wei", 10)), ["w"]);
    assert_eq!(ids(&search_external(&dir, "fiona", 10)), ["f"]);
}

#[test]
fn large_directory_answers_quickly() {
    // 50,000 synthetic users; the bound is loose because debug builds are slow and CI is
    // shared. Release builds answer in about a millisecond.
    let first = [
        "anna", "bruno", "carla", "dmitri", "elena", "farid", "gita", "hiro", "ines", "jonas",
    ];
    let dir: Vec<ExternalUser> = (0..50_000)
        .map(|i| ExternalUser {
            id: format!("u{i}"),
            first_name: Some(first[i % first.len()].into()),
            last_name: Some(format!("surname{}x{}", i % 997, i / 997)),
            email: Some(format!("user{i}@example.com")),
            ..Default::default()
        })
        .collect();
    let index = NameIndex::new(&dir);
    let started = std::time::Instant::now();
    let hits = index.search("dmitri surname12x3", 10);
    let typo = index.search("dmirti", 10);
    let elapsed = started.elapsed();
    assert_eq!(hits.first().map(|h| h.external_id.as_str()), Some("u3003"));
    assert_eq!(hits[0].score, 1.0);
    assert_eq!(typo.len(), 10);
    eprintln!("two searches over 50,000 users: {elapsed:?}");
    assert!(elapsed.as_millis() < 500, "two searches took {elapsed:?}");
}

proptest::proptest! {
    #[test]
    fn typo_matcher_agrees_with_strsim(
        q in "[abcé]{0,10}",
        mut words in proptest::collection::vec("[abcé]{0,10}", 1..30),
        max in 0usize..4,
    ) {
        // Sorted, as the index feeds it, so row reuse across shared prefixes is exercised.
        words.sort();
        let qv: Vec<char> = q.chars().collect();
        let mut m = TypoMatcher::new(&qv);
        for w in &words {
            let wv: Vec<char> = w.chars().collect();
            let full = strsim::osa_distance(&q, w);
            proptest::prop_assert_eq!(m.distance(&wv, max), (full <= max).then_some(full), "{} vs {}", q, w);
        }
    }

    #[test]
    fn search_never_panics_and_respects_limit(
        names in proptest::collection::vec("\\PC{0,12}", 0..20),
        query in "\\PC{0,16}",
        limit in 0usize..200,
    ) {
        let dir: Vec<ExternalUser> =
            names.iter().enumerate().map(|(i, n)| user(&i.to_string(), n)).collect();
        let hits = search_external(&dir, &query, limit);
        proptest::prop_assert!(hits.len() <= limit.min(MAX_SEARCH_LIMIT));
        proptest::prop_assert!(hits.iter().all(|h| h.score > 0.0 && h.score <= 1.0));
    }
}
