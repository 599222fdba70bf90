import type { CompareResult, VersionScheme } from '../types.js';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH, sign } from '../util.js';

/**
 * apk-tools version ordering (src/version.c, apk-tools 2.14 / 3.x):
 * `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`. Tokens are compared pairwise
 * while both sides have the same token type; the first type difference decides by the
 * type order below (a pre-release suffix sorts before anything).
 */
const T = { INITIAL: 0, DIGIT: 1, LETTER: 2, SUFFIX: 3, SUFFIX_NO: 4, HASH: 5, REVISION: 6, END: 7, INVALID: 8 } as const;
type TokenType = (typeof T)[keyof typeof T];

// Index = rank: INVALID(0) alpha beta pre rc NONE(5) cvs svn git hg p.
const SUFFIXES = ['', 'alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const SUFFIX_NONE = 5;

interface Token {
  readonly type: TokenType;
  readonly value: string;
  readonly suffix: number;
}

/** Split a version into apk tokens; the list ends with END or INVALID. */
export function apkTokens(v: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  const span = (re: RegExp): string => {
    const m = re.exec(v.slice(pos));
    const s = m ? m[0] : '';
    pos += s.length;
    return s;
  };
  const push = (type: TokenType, value = '', suffix = 0): void => void out.push({ type, value, suffix });
  const digits = span(/^[0-9]+/);
  if (digits === '') return [{ type: T.INVALID, value: '', suffix: 0 }];
  push(T.INITIAL, digits);
  for (;;) {
    const prev = (out[out.length - 1] as Token).type;
    if (pos >= v.length) {
      push(T.END);
      return out;
    }
    const c = v[pos] as string;
    let next: TokenType = T.INVALID;
    if (c >= 'a' && c <= 'z') {
      if (prev <= T.DIGIT) {
        pos++;
        push(T.LETTER, c);
        continue;
      }
    } else if (c === '.' || (c >= '0' && c <= '9')) {
      if (c === '.' && prev <= T.DIGIT) pos++;
      if (c === '.' && prev > T.DIGIT) next = T.INVALID;
      else if (prev === T.INITIAL || prev === T.DIGIT) next = T.DIGIT;
      else if (prev === T.SUFFIX && c !== '.') next = T.SUFFIX_NO;
      if (next !== T.INVALID) {
        const d = span(/^[0-9]+/);
        if (d !== '') {
          push(next, d);
          continue;
        }
      }
    } else if (c === '_' && prev <= T.SUFFIX_NO) {
      pos++;
      const word = span(/^[a-z]+/);
      const rank = word === '' ? 0 : SUFFIXES.indexOf(word);
      if (rank > 0) {
        push(T.SUFFIX, word, rank);
        continue;
      }
    } else if (c === '~' && prev < T.HASH) {
      pos++;
      const hash = span(/^[0-9a-fA-F]+/);
      if (hash !== '') {
        push(T.HASH, hash);
        continue;
      }
    } else if (c === '-' && prev < T.REVISION && v[pos + 1] === 'r') {
      pos += 2;
      const d = span(/^[0-9]+/);
      if (d !== '') {
        push(T.REVISION, d);
        continue;
      }
    }
    push(T.INVALID);
    return out;
  }
}

/** apk_blob_sort: bytes first, then the shorter blob first. */
const blobSort = compareStrings;

function compareToken(a: Token, b: Token): CompareResult {
  switch (a.type) {
    case T.DIGIT:
      // A leading zero makes the field a fraction: raw string order (8.2.0015 < 8.2.002).
      if (a.value.startsWith('0') || b.value.startsWith('0')) return blobSort(a.value, b.value);
      return compareDigits(a.value, b.value);
    case T.INITIAL:
    case T.SUFFIX_NO:
    case T.REVISION:
      return compareDigits(a.value, b.value);
    case T.LETTER:
      return compareStrings(a.value, b.value);
    case T.SUFFIX:
      return sign(a.suffix - b.suffix);
    default:
      return blobSort(a.value, b.value);
  }
}

export function compareApk(a: string, b: string): CompareResult {
  const ta = apkTokens(a);
  const tb = apkTokens(b);
  let i = 0;
  for (; ; i++) {
    const x = ta[i] as Token;
    const y = tb[i] as Token;
    if (x.type !== y.type || x.type >= T.END) break;
    const r = compareToken(x, y);
    if (r !== 0) return r;
  }
  const x = ta[i] as Token;
  const y = tb[i] as Token;
  if (x.type === y.type) return 0;
  // The longer version is newer, unless what follows is a pre-release suffix.
  if (x.type === T.SUFFIX && x.suffix < SUFFIX_NONE) return -1;
  if (y.type === T.SUFFIX && y.suffix < SUFFIX_NONE) return 1;
  return x.type > y.type ? -1 : 1;
}

export const apkScheme: VersionScheme = {
  id: 'apk',
  specs: ['https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c', 'https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#pkgver'],
  isValid: (v) => v.length <= MAX_VERSION_LENGTH && apkTokens(v).at(-1)?.type === T.END,
  // apk-tools orders invalid strings too: tokens up to the first invalid one decide, and an
  // invalid token ranks below the end of a version. Work is linear in the input.
  compare: compareApk,
};
