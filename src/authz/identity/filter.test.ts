import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { checkTemplate, fillFilter } from './filter.js';

describe('fillFilter', () => {
  it.each([
    ['alice', '(uid=alice)'],
    // RFC 4515 §3: the five characters that must be escaped in an assertion value.
    ['*)(uid=*', '(uid=\\2a\\29\\28uid=\\2a)'],
    ['a\\b', '(uid=a\\5cb)'],
    ['nul\u0000x', '(uid=nul\\00x)'],
    // Non-ASCII stays UTF-8: escaping its bytes one by one would break ldapts' parser.
    ['zoë', '(uid=zoë)'],
  ])('escapes %j', (user, expected) => {
    const filter = fillFilter('(uid={user})', { user });
    expect(filter).toBe(expected);
    // The escaped filter is one equality assertion whose value is exactly the user name.
    const parsed = FilterParser.parseString(filter) as unknown as { attribute: string; value: string };
    expect(parsed.constructor.name).toBe('EqualityFilter');
    expect(parsed.value).toBe(user);
  });

  it('escapes a DN with an escaped comma so the backslash reaches the server as data', () => {
    const dn = 'cn=Smith\\, John,ou=people,dc=portcullis,dc=test';
    const filter = fillFilter('(member={dn})', { dn });
    expect(filter).toBe('(member=cn=Smith\\5c, John,ou=people,dc=portcullis,dc=test)');
    expect((FilterParser.parseString(filter) as unknown as { value: string }).value).toBe(dn);
  });

  it('substitutes once: a value holding a placeholder is not expanded again', () => {
    expect(fillFilter('(|(member={dn})(memberUid={user}))', { user: '{dn}', dn: 'uid=x' })).toBe('(|(member=uid=x)(memberUid={dn}))');
  });
});

describe('checkTemplate', () => {
  it.each([
    ['(uid={user})', ['user'], undefined],
    ['(&(objectClass=person)(|(uid={user})(mail={user})))', ['user'], undefined],
    ['(|(member={dn})(memberUid={user}))', ['user', 'dn'], undefined],
    ['(uid={dn})', ['user'], /unknown placeholder \{dn\}/],
    ['(objectClass=person)', ['user'], /must use \{user\}/],
    ['(uid={user}', ['user'], /not a valid LDAP filter/],
    ['uid={user})(x=y', ['user'], /not a valid LDAP filter/],
    ['(uid={user})(cn=x)', ['user'], /not a valid LDAP filter/],
  ] as const)('%s', (template, allowed, expected) => {
    const result = checkTemplate(template, allowed);
    if (expected === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(expected);
  });
});
