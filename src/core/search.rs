//! Manual-mapping search (docs/matching.md): find external accounts by name as they exist on the
//! external platform. Case- and accent-insensitive, tokens in any order, prefix and typo
//! tolerant, ranked and limited.
//!
//! Build a [`NameIndex`] once per directory and query it many times; [`search_external`] is
//! the one-shot form. The index keeps a sorted vocabulary of folded tokens with the accounts
//! that hold each, so exact and prefix lookups are binary searches and only the typo pass
//! scans the vocabulary (behind length and character-set filters, reusing edit-distance rows
//! across the shared prefixes of neighbouring tokens).

use crate::core::records::ExternalUser;
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The most hits one search returns, whatever `limit` asks for.
pub const MAX_SEARCH_LIMIT: usize = 100;

/// Query tokens past this many are ignored: a person types a name, not a paragraph, and it
/// bounds the work a pasted blob can cause.
const MAX_QUERY_TOKENS: usize = 8;
/// Tokens longer than this (in chars) still match exactly or by prefix but not by typo: the
/// edit-distance cost grows with the product of the lengths.
const MAX_TYPO_TOKEN_CHARS: usize = 64;

const SCORE_EXACT: f64 = 1.0;
/// A prefix scores between these, growing with how much of the name token was typed, so
/// "alvare" ranks "Alvarez" above "alv" does but both stay below an exact token.
const SCORE_PREFIX_MIN: f64 = 0.7;
const SCORE_PREFIX_SPAN: f64 = 0.2;
const SCORE_TYPO_1: f64 = 0.5;
const SCORE_TYPO_2: f64 = 0.4;
/// Email local parts are a weaker signal than the name (they are often initials or old
/// names), so their matches count for this share of a name match.
const EMAIL_WEIGHT: f64 = 0.6;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The external account's `id`.
    pub external_id: String,
    /// The name as the external platform shows it (display name, else first + last, else user
    /// name, else id). Returned verbatim: it is data, escape it when you render it.
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Relevance in (0, 1]: the mean over query tokens of 1 (exact token), 0.7-0.9 (prefix),
    /// 0.5 / 0.4 (one / two typos); email matches count 0.6 of that. Compare scores within one
    /// result list only.
    pub score: f64,
    /// Whether the account is active. Inactive accounts are listed after every active one.
    pub active: bool,
}

/// A search index over one external directory: build once, query many times.
///
/// Ranking: active accounts first, then by `score` (best first), then by display name
/// (folded, then as written), then by id, so equal input gives the same order every time.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    users: Vec<IndexedUser>,
    /// Sorted by `text`, unique.
    vocab: Vec<VocabToken>,
}

#[derive(Debug, Clone)]
struct IndexedUser {
    id: String,
    display_name: String,
    display_folded: String,
    email: Option<String>,
    active: bool,
}

#[derive(Debug, Clone)]
struct VocabToken {
    text: String,
    chars: Vec<char>,
    mask: u64,
    /// (user position, from the name rather than only the email), sorted by user, unique.
    postings: Vec<(u32, bool)>,
}

impl NameIndex {
    /// Index `directory`. Names come from `displayName`, `firstName`, `lastName` and
    /// `userName` (the part before `@` if it is an email); the email's local part is indexed
    /// as a weaker signal.
    pub fn new(directory: &[ExternalUser]) -> Self {
        let mut users = Vec::with_capacity(directory.len());
        // (token, user, strong): sorted and merged into the vocabulary below.
        let mut entries: Vec<(String, u32, bool)> = Vec::new();
        for (pos, user) in directory.iter().enumerate() {
            let Ok(pos32) = u32::try_from(pos) else { break };
            let names = [
                user.display_name.as_deref(),
                user.first_name.as_deref(),
                user.last_name.as_deref(),
                user.user_name.as_deref().map(local_part),
            ];
            for name in names.into_iter().flatten() {
                for token in tokens(&fold(name)) {
                    entries.push((token.to_string(), pos32, true));
                }
            }
            if let Some(email) = user.email.as_deref() {
                for token in tokens(&fold(local_part(email))) {
                    entries.push((token.to_string(), pos32, false));
                }
            }
            let display_name = user.display_name();
            users.push(IndexedUser {
                id: user.id.clone(),
                display_folded: fold(&display_name),
                display_name,
                email: user.email.clone(),
                active: user.is_active(),
            });
        }
        // Strong (true) sorts after weak, so the last entry per (token, user) is the strongest.
        entries.sort_unstable();
        let mut vocab: Vec<VocabToken> = Vec::new();
        for (text, user, strong) in entries {
            match vocab.last_mut() {
                Some(last) if last.text == text => match last.postings.last_mut() {
                    Some(p) if p.0 == user => p.1 |= strong,
                    _ => last.postings.push((user, strong)),
                },
                _ => vocab.push(VocabToken {
                    chars: text.chars().collect(),
                    mask: char_mask(&text),
                    text,
                    postings: vec![(user, strong)],
                }),
            }
        }
        NameIndex { users, vocab }
    }

    /// How many accounts the index holds.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The accounts whose names match every token of `query`, best first, at most `limit`
    /// (capped at [`MAX_SEARCH_LIMIT`]). A blank query, or one with no letters or digits,
    /// returns nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let limit = limit.min(MAX_SEARCH_LIMIT);
        let folded = fold(query);
        let query_tokens: Vec<&str> = tokens(&folded).take(MAX_QUERY_TOKENS).collect();
        if limit == 0 || query_tokens.is_empty() || self.users.is_empty() {
            return Vec::new();
        }
        let n = self.users.len();
        let mut total = vec![0.0f64; n];
        let mut matched = vec![0usize; n];
        let mut best = vec![0.0f64; n];
        let mut touched: Vec<u32> = Vec::new();
        for (round, q) in query_tokens.iter().enumerate() {
            self.match_token(q, &mut |user, score| {
                let Some(slot) = best.get_mut(user as usize) else {
                    return;
                };
                // Only users that matched every earlier token can still be hits.
                if matched.get(user as usize) != Some(&round) {
                    return;
                }
                if *slot == 0.0 {
                    touched.push(user);
                }
                if score > *slot {
                    *slot = score;
                }
            });
            for &user in &touched {
                let u = user as usize;
                if let (Some(b), Some(t), Some(m)) =
                    (best.get_mut(u), total.get_mut(u), matched.get_mut(u))
                {
                    *t += *b;
                    *m += 1;
                    *b = 0.0;
                }
            }
            if touched.is_empty() {
                return Vec::new();
            }
            touched.clear();
        }
        let rounds = query_tokens.len();
        let mut hits: Vec<(usize, &IndexedUser, f64)> = matched
            .iter()
            .zip(&total)
            .zip(&self.users)
            .enumerate()
            .filter(|(_, ((&m, _), _))| m == rounds)
            .map(|(pos, ((_, &t), user))| (pos, user, t / rounds as f64))
            .collect();
        let order = |&(a, ua, sa): &(usize, &IndexedUser, f64),
                     &(b, ub, sb): &(usize, &IndexedUser, f64)| {
            ub.active
                .cmp(&ua.active)
                .then(sb.total_cmp(&sa))
                .then_with(|| ua.display_folded.cmp(&ub.display_folded))
                .then_with(|| ua.display_name.cmp(&ub.display_name))
                .then_with(|| ua.id.cmp(&ub.id))
                .then_with(|| ua.email.cmp(&ub.email))
                .then(a.cmp(&b))
        };
        // A one-letter query can hit most of the directory: select the top `limit` first
        // and sort only those.
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(order);
        hits.into_iter()
            .take(limit)
            .map(|(_, user, score)| SearchHit {
                external_id: user.id.clone(),
                display_name: user.display_name.clone(),
                email: user.email.clone(),
                score,
                active: user.active,
            })
            .collect()
    }

    /// Calls `emit(user, score)` for every posting of every vocabulary token that `q`
    /// matches exactly, as a prefix, or within the typo budget.
    fn match_token(&self, q: &str, emit: &mut dyn FnMut(u32, f64)) {
        let mut emit_token = |token: &VocabToken, score: f64| {
            for &(user, strong) in &token.postings {
                emit(user, if strong { score } else { score * EMAIL_WEIGHT });
            }
        };
        let q_vec: Vec<char> = q.chars().collect();
        let q_chars = q_vec.len();
        // Exact and prefix: the tokens starting with `q` are one contiguous run.
        let start = self.vocab.partition_point(|t| t.text.as_str() < q);
        for token in self
            .vocab
            .iter()
            .skip(start)
            .take_while(|t| t.text.starts_with(q))
        {
            let score = if token.text == q {
                SCORE_EXACT
            } else {
                SCORE_PREFIX_MIN + SCORE_PREFIX_SPAN * (q_chars as f64 / token.chars.len() as f64)
            };
            emit_token(token, score);
        }
        if !(4..=MAX_TYPO_TOKEN_CHARS).contains(&q_chars) {
            return;
        }
        let q_mask = char_mask(q);
        let budget = typo_budget(q_chars);
        let mut matcher = TypoMatcher::new(&q_vec);
        // Sorted order lets the matcher reuse the rows of shared prefixes.
        for token in &self.vocab {
            let len = token.chars.len();
            let allowed = typo_budget(len.min(q_chars)).min(budget);
            if allowed == 0 || len.abs_diff(q_chars) > allowed || token.text.starts_with(q) {
                continue; // out of budget, or already scored as exact / prefix (which rank higher)
            }
            // Each char present in one word but absent from the other costs at least one
            // edit: a cheap lower bound that skips most of the vocabulary.
            let missing = (q_mask & !token.mask)
                .count_ones()
                .max((token.mask & !q_mask).count_ones());
            if missing as usize > allowed {
                continue;
            }
            let score = match matcher.distance(&token.chars, allowed) {
                Some(1) => SCORE_TYPO_1,
                Some(2) => SCORE_TYPO_2,
                _ => continue,
            };
            emit_token(token, score);
        }
    }
}

/// Rank `directory` against `query` by name: see [`NameIndex::search`]. Build a
/// [`NameIndex`] instead when you search the same directory more than once.
pub fn search_external(directory: &[ExternalUser], query: &str, limit: usize) -> Vec<SearchHit> {
    if limit == 0 || tokens(&fold(query)).next().is_none() {
        return Vec::new();
    }
    NameIndex::new(directory).search(query, limit)
}

/// Edits a token of `chars` characters may carry and still match: none under 4 chars (too
/// many short names are one edit apart), 1 for 4-7, 2 for 8 and more.
fn typo_budget(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Optimal-string-alignment distance (restricted Damerau-Levenshtein: insert, delete,
/// substitute, swap two neighbours) from one query token to many vocabulary tokens, bounded
/// by `max`. Same results as `strsim::osa_distance` (the tests check it against that), but
/// fed the vocabulary in sorted order it reuses the DP rows of the prefix a token shares with
/// the previous one, and stops a token once two consecutive rows exceed `max`. The typo pass
/// runs over tens of thousands of tokens per query; computing each full matrix afresh was
/// nearly the whole cost of a search.
struct TypoMatcher<'q> {
    query: &'q [char],
    /// `rows[r][c]`: distance from the first `r` chars of the token to the first `c` of the
    /// query. Row 0 is fixed; rows 1..=valid belong to `last`.
    rows: Vec<[u16; MAX_TYPO_TOKEN_CHARS + 1]>,
    last: Vec<char>,
    valid: usize,
}

impl<'q> TypoMatcher<'q> {
    /// `query` must be at most `MAX_TYPO_TOKEN_CHARS` long (callers check).
    fn new(query: &'q [char]) -> Self {
        let mut first = [0u16; MAX_TYPO_TOKEN_CHARS + 1];
        for (c, cell) in first.iter_mut().enumerate() {
            *cell = u16::try_from(c).unwrap_or(u16::MAX);
        }
        let mut rows = Vec::with_capacity(MAX_TYPO_TOKEN_CHARS + 1);
        rows.push(first);
        TypoMatcher {
            query,
            rows,
            last: Vec::new(),
            valid: 0,
        }
    }

    /// The distance from `token` to the query if it is at most `max`.
    // The rows are fixed arrays of MAX_TYPO_TOKEN_CHARS + 1 cells and both lengths are
    // checked against that bound on entry, so every index below is in range; this inner
    // loop is the search's hot path, where checked access costs measurably.
    #[allow(clippy::indexing_slicing)]
    fn distance(&mut self, token: &[char], max: usize) -> Option<usize> {
        let q = self.query;
        // This bound is what keeps the fixed-size row indexing below in range.
        if q.len() > MAX_TYPO_TOKEN_CHARS || token.len() > MAX_TYPO_TOKEN_CHARS {
            return None;
        }
        let shared = token
            .iter()
            .zip(&self.last)
            .take_while(|(a, b)| a == b)
            .count();
        let mut r = shared.min(self.valid);
        self.last.clear();
        self.last.extend_from_slice(token);
        let max16 = u16::try_from(max).unwrap_or(u16::MAX);
        while r < token.len() {
            let tc = token.get(r).copied();
            let tprev = r.checked_sub(1).and_then(|i| token.get(i)).copied();
            let mut row = [u16::MAX; MAX_TYPO_TOKEN_CHARS + 1];
            let above = self.rows.get(r).copied().unwrap_or(row);
            let above2 = r.checked_sub(1).and_then(|i| self.rows.get(i)).copied();
            row[0] = above[0].saturating_add(1);
            let mut row_min = row[0];
            for c in 1..=q.len() {
                let qc = q.get(c - 1).copied();
                let cost = u16::from(qc != tc);
                let mut v = above[c - 1].saturating_add(cost);
                v = v
                    .min(above[c].saturating_add(1))
                    .min(row[c - 1].saturating_add(1));
                if let (Some(a2), Some(tp), true) = (above2, tprev, c >= 2) {
                    if Some(tp) == qc && tc == q.get(c - 2).copied() {
                        v = v.min(a2[c - 2].saturating_add(1));
                    }
                }
                row[c] = v;
                row_min = row_min.min(v);
            }
            let above_min = above.iter().take(q.len() + 1).copied().min().unwrap_or(0);
            r += 1;
            match self.rows.get_mut(r) {
                Some(slot) => *slot = row,
                None => self.rows.push(row),
            }
            if row_min > max16 && above_min > max16 {
                self.valid = r;
                return None;
            }
        }
        self.valid = token.len();
        let d = usize::from(self.rows.get(token.len())?.get(q.len()).copied()?);
        (d <= max).then_some(d)
    }
}

/// Folds text for matching only: compatibility decomposition (NFKD, so full-width letters
/// and ligatures match their plain forms), lowercase, combining marks dropped, and a few
/// letters that have no decomposition spelled out (ß → ss, ø → o, ł → l, æ → ae ...).
/// Never use it for identity (email keys have their own rules).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        for l in c.to_lowercase() {
            if is_combining_mark(l) {
                continue;
            }
            match l {
                'ß' => out.push_str("ss"),
                'ø' => out.push('o'),
                'ł' => out.push('l'),
                'đ' | 'ð' => out.push('d'),
                'ħ' => out.push('h'),
                'ı' => out.push('i'),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'þ' => out.push_str("th"),
                _ => out.push(l),
            }
        }
    }
    out
}

/// Splits folded text on everything that is not a letter or digit.
fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

/// The part before the last `@`, or the whole text when there is none.
fn local_part(text: &str) -> &str {
    text.rsplit_once('@').map_or(text, |(local, _)| local)
}

/// A 64-bit set of the characters in `text` (hashed by code point). Collisions only make
/// the typo pre-filter let more through, never reject a real match.
fn char_mask(text: &str) -> u64 {
    text.chars()
        .fold(0u64, |m, c| m | 1u64 << (u32::from(c) % 64))
}

#[cfg(test)]
mod tests;
