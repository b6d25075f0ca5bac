/**
 * How message text becomes search tokens, and a query the tokens to look up and the terms a
 * found message must really contain. Chinese, Japanese and Korean have no spaces between
 * words, so a run of their characters is indexed as its overlapping bigrams ("明天的会议" →
 * 明天 天的 的会 会议): any two-character query finds it. Other letters and digits form words,
 * indexed lower-cased as their prefixes of 2 to {@link WORD_PREFIX_CHARS} characters, so a word
 * matches by prefix ("meet" finds "Meeting") with one exact token lookup.
 *
 * The index only narrows: every candidate is checked against the message's text itself
 * ({@link matchRanges}), which also gives the offsets the page highlights.
 *
 * @module
 */

/** Longest word prefix indexed; a longer query word is looked up by this prefix, then checked. */
export const WORD_PREFIX_CHARS = 8;

/** Most distinct tokens one message puts into the index (a huge paste costs a bounded write). */
export const MAX_TOKENS_PER_MESSAGE = 2000;

/** Most tokens one query looks up in the index (the others are checked on the text). */
const MAX_LOOKUP_TOKENS = 6;

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
/** A run of CJK characters, or a word of other letters, marks and digits. */
const RUNS = new RegExp(String.raw`([${CJK}]+)|([[\p{L}\p{M}\p{N}]--[${CJK}]]+)`, "gv");
/** A character of a word (what must not come right before a word prefix match). */
const WORD_CHAR = String.raw`[[\p{L}\p{M}\p{N}]--[${CJK}]]`;

/** The distinct tokens of a message's text (at most {@link MAX_TOKENS_PER_MESSAGE}). */
export function textTokens(text: string): string[] {
  const tokens = new Set<string>();
  for (const match of text.matchAll(RUNS)) {
    if (match[1] !== undefined) {
      const chars = [...match[1]];
      // A lone CJK character is kept as itself: it is still found as part of a longer query.
      if (chars.length === 1) tokens.add(chars[0]);
      for (let i = 0; i + 1 < chars.length; i++) tokens.add(chars[i] + chars[i + 1]);
    } else {
      const chars = [...match[2].toLowerCase()];
      const longest = Math.min(chars.length, WORD_PREFIX_CHARS);
      for (let n = 2; n <= longest; n++) tokens.add(chars.slice(0, n).join(""));
    }
    if (tokens.size >= MAX_TOKENS_PER_MESSAGE) break;
  }
  return [...tokens].slice(0, MAX_TOKENS_PER_MESSAGE);
}

/** One part of a query a message must contain. */
export interface SearchTerm {
  /** "cjk": the characters as they are, anywhere; "word": the start of a word, any case. */
  kind: "cjk" | "word";
  text: string;
}

/** A parsed query: what to look up and what to check. */
export interface ParsedQuery {
  terms: SearchTerm[];
  /** Index tokens that every matching message has (at least one). */
  tokens: string[];
}

/**
 * Splits a query into terms; null when it has nothing the index can look up (no CJK pair, no
 * word of two or more characters). Characters outside words and CJK runs separate terms.
 */
export function parseQuery(q: string): ParsedQuery | null {
  const terms: SearchTerm[] = [];
  const tokens: string[] = [];
  for (const match of q.matchAll(RUNS)) {
    if (match[1] !== undefined) {
      terms.push({ kind: "cjk", text: match[1] });
      const chars = [...match[1]];
      for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
    } else {
      const word = match[2].toLowerCase();
      terms.push({ kind: "word", text: word });
      const chars = [...word];
      if (chars.length >= 2) tokens.push(chars.slice(0, WORD_PREFIX_CHARS).join(""));
    }
  }
  const distinct = [...new Set(tokens)];
  if (distinct.length === 0) return null;
  // Longer tokens (whole words) are usually rarer than a common bigram: looked up first.
  distinct.sort((a, b) => [...b].length - [...a].length);
  return { terms, tokens: distinct.slice(0, MAX_LOOKUP_TOKENS) };
}

/** Most highlighted ranges answered per message. */
const MAX_RANGES = 50;

/**
 * Where each term occurs in `text` as `[start, end)` offsets in UTF-16 code units (JavaScript
 * string indexes), sorted and merged; null unless every term occurs.
 */
export function matchRanges(text: string, terms: SearchTerm[]): [number, number][] | null {
  const ranges: [number, number][] = [];
  for (const term of terms) {
    const found = term.kind === "cjk" ? occurrences(text, term.text) : wordStarts(text, term.text);
    if (found.length === 0) return null;
    ranges.push(...found);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged.slice(0, MAX_RANGES);
}

function occurrences(text: string, part: string): [number, number][] {
  const found: [number, number][] = [];
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) {
    found.push([at, at + part.length]);
    if (found.length >= MAX_RANGES) break;
  }
  return found;
}

function wordStarts(text: string, word: string): [number, number][] {
  // Words hold letters, marks and digits only; escaped all the same: a query is never a pattern.
  const escaped = word.replace(/[\\^$.*+?()[\]{}|\/]/g, "\\$&");
  const pattern = new RegExp(`(?<!${WORD_CHAR})${escaped}`, "giv");
  const found: [number, number][] = [];
  for (const match of text.matchAll(pattern)) {
    found.push([match.index, match.index + match[0].length]);
    if (found.length >= MAX_RANGES) break;
  }
  return found;
}
