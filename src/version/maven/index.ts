import type { CompareResult, VersionScheme } from '../types.js';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH, sign, withInvalidFallback } from '../util.js';

/**
 * Maven's ComparableVersion (maven-artifact 3.9.9; 3.8.7 gives the same answers on our whole
 * fixture). A version is a tree: numbers, qualifiers, and sub-lists opened by '-' or by a
 * digit/letter transition.
 */
type Item = { readonly kind: 'num'; readonly digits: string } | { readonly kind: 'str'; readonly value: string } | ListItem;
interface ListItem {
  readonly kind: 'list';
  readonly items: Item[];
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = '5';

function stringItem(raw: string, followedByDigit: boolean): Item {
  let value = raw;
  if (followedByDigit && value.length === 1) value = { a: 'alpha', b: 'beta', m: 'milestone' }[value] ?? value;
  return { kind: 'str', value: ALIASES[value] ?? value };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { kind: 'num', digits: buf.replace(/^0+(?=.)/, '') } : stringItem(buf, false);
}

/** Unknown qualifiers sort after the known ones, lexically: Java compares these strings. */
function comparable(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  if (item.kind === 'num') return /^0+$/.test(item.digits);
  if (item.kind === 'str') return comparable(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

/** ListItem.normalize(): drop trailing null items, skipping over (but keeping) sub-lists. */
function normalize(list: ListItem): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const item = list.items[i] as Item;
    if (isNull(item)) list.items.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMavenVersion(version: string): ListItem {
  const v = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  const stack: ListItem[] = [root];
  let list = root;
  const open = (): void => {
    const next: ListItem = { kind: 'list', items: [] };
    list.items.push(next);
    list = next;
    stack.push(next);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '.' || c === '-') {
      list.items.push(i === start ? { kind: 'num', digits: '0' } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') open();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // "1.0.0.X1 < 1.0.0-X2": a qualifier after '.' opens a sub-list like '-' does.
        if (list.items.length > 0) open();
        list.items.push(stringItem(v.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, v.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    if (!isDigit && list.items.length > 0) open();
    list.items.push(parseItem(isDigit, v.slice(start)));
  }
  for (let l = stack.pop(); l !== undefined; l = stack.pop()) normalize(l);
  return root;
}

/** Item.compareTo(other), where `undefined` stands for Java's null (the shorter side). */
function compareItem(a: Item, b: Item | undefined): CompareResult {
  if (a.kind === 'num') {
    if (b === undefined) return isNull(a) ? 0 : 1;
    return b.kind === 'num' ? compareDigits(a.digits, b.digits) : 1;
  }
  if (a.kind === 'str') {
    if (b === undefined) return sign(compareStrings(comparable(a.value), RELEASE_INDEX));
    return b.kind === 'str' ? compareStrings(comparable(a.value), comparable(b.value)) : -1;
  }
  if (b === undefined) {
    for (const item of a.items) {
      const r = compareItem(item, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.kind === 'num') return -1;
  if (b.kind === 'str') return 1;
  for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
    const l = a.items[i];
    const r = b.items[i];
    const res = l === undefined ? (r === undefined ? 0 : (-compareItem(r, undefined) as CompareResult)) : compareItem(l, r);
    if (res !== 0) return res;
  }
  return 0;
}

/**
 * Maven's own order is not transitive: a qualifier meeting a sub-list at the same position
 * always loses, whatever either means. maven-artifact 3.9.9 confirms both cycles
 * `1 < 1-b < 1-RELEASE-0-snapshot-2 < 1` and `1 < 1.a-cr-sp-release < 1-rc.10.m < 1`.
 * We reproduce it faithfully; the conformance suite checks transitivity only on the
 * conventional shape `N(.N)*[-qualifier[[-]N]][-SNAPSHOT]`, where Maven is consistent.
 */
export function isConventionalMavenVersion(v: string): boolean {
  return /^[0-9]+(\.[0-9]+)*(-(?!snapshot)[a-z]+(-?[0-9]+)?)?(-snapshot)?$/i.test(v);
}

// Maven itself orders any string. We order natively the strings made of version characters,
// and call valid only those of them that also contain a digit.
const WORD = /^[a-z0-9][a-z0-9._+-]*$/i;
const isWord = (v: string): boolean => v.length <= MAX_VERSION_LENGTH && WORD.test(v);
const isValid = (v: string): boolean => isWord(v) && /[0-9]/.test(v);

export const mavenScheme: VersionScheme = {
  id: 'maven',
  specs: [
    'https://maven.apache.org/pom.html#version-order-specification',
    'https://github.com/apache/maven/blob/maven-3.9.x/maven-artifact/src/main/java/org/apache/maven/artifact/versioning/ComparableVersion.java',
  ],
  isValid,
  // Version-like words are ordered as Maven orders them. Maven's order is not transitive over
  // arbitrary strings (whitespace, punctuation), and deep '-' nesting would recurse without
  // bound, so other strings sort below them, and among themselves by code-unit order.
  compare: withInvalidFallback((v) => (isWord(v) ? parseMavenVersion(v) : undefined), compareItem),
};
