import { Filter, FilterParser } from 'ldapts';

/** `{user}`, `{dn}`: the placeholders a configured filter may hold. */
const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/**
 * Substitutes each `{name}` in a configured filter with its value escaped per RFC 4515 §3
 * (`*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`; ldapts' Filter.escape),
 * so a user name like `*)(uid=*` stays one assertion value and cannot widen the search.
 * One pass: a value that itself contains `{dn}` is never substituted again.
 */
export function fillFilter(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    // checkTemplate() rejected unknown placeholders at load; reaching this is a bug.
    if (value === undefined) throw new Error(`filter placeholder ${whole} has no value`);
    return Filter.escape(value);
  });
}

/**
 * Why a configured filter template is unusable, or undefined when it is fine: it may only use
 * `allowed` placeholders, must use at least one of them (a filter without one would give every
 * user the same answer) and must parse as an LDAP filter once filled.
 */
export function checkTemplate(template: string, allowed: readonly string[]): string | undefined {
  const used = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  const unknown = used.filter((name) => !allowed.includes(name));
  if (unknown.length > 0) return `unknown placeholder {${unknown[0]}}; allowed: ${allowed.map((a) => `{${a}}`).join(', ')}`;
  if (used.length === 0) return `must use ${allowed.map((a) => `{${a}}`).join(' or ')}`;
  const sample = Object.fromEntries(allowed.map((name) => [name, 'x']));
  try {
    FilterParser.parseString(fillFilter(template, sample));
  } catch (err) {
    return `not a valid LDAP filter: ${(err as Error).message}`;
  }
  return undefined;
}
