import { AcmeError } from '../../../src/domain/errors';
import { normalizeIdentifiers } from '../../../src/domain/identifiers';
import { validateContact } from '../../../src/domain/contact';

const policy = { maxIdentifiers: 5 };
const dns = (value: string) => ({ type: 'dns', value });

function refused(fn: () => unknown): AcmeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AcmeError);
    return e as AcmeError;
  }
  throw new Error('expected a refusal');
}

describe('identifier policy', () => {
  test.each(['example.com', 'a-b.example.com', 'xn--bcher-kva.example', '*.example.com', 'a.b.c.d.example.org', `${'a'.repeat(63)}.example.com`])('accepts %s', (v) => {
    expect(normalizeIdentifiers([dns(v)], policy)).toEqual([dns(v)]);
  });

  test.each([
    ['', /empty/],
    ['example', /at least two labels/],
    ['example.com.', /must not end with a dot/],
    ['-bad.example.com', /letters, digits and inner hyphens/],
    ['bad-.example.com', /letters, digits and inner hyphens/],
    ['bad_label.example.com', /letters, digits and inner hyphens/],
    ['a..example.com', /empty label/],
    [`${'a'.repeat(64)}.example.com`, /longer than 63/],
    [`${'a.'.repeat(127)}com`, /limit is 253/],
    ['*', /at least two labels|wildcard/],
    ['a*.example.com', /wildcard is allowed only/],
    ['x.*.example.com', /wildcard is allowed only/],
    ['*.*.example.com', /wildcard is allowed only/],
    ['192.168.0.1', /top-level label must not be all digits/],
  ])('refuses %j', (v, detail) => {
    const e = refused(() => normalizeIdentifiers([dns(v)], policy));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(detail);
    expect(e.subproblems[0].identifier).toEqual(dns(v));
  });

  test('lowercases and deduplicates', () => {
    expect(normalizeIdentifiers([dns('WWW.Example.COM'), dns('www.example.com'), dns('example.com')], policy)).toEqual([dns('www.example.com'), dns('example.com')]);
  });

  test('one subproblem per bad identifier, good ones not mentioned', () => {
    const e = refused(() => normalizeIdentifiers([dns('ok.example.com'), dns('bad_.example.com'), { type: 'ip', value: '192.0.2.1' }], policy));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.subproblems.map((s) => [s.type, s.identifier?.value])).toEqual([
      ['rejectedIdentifier', 'bad_.example.com'],
      ['rejectedIdentifier', '192.0.2.1'],
    ]);
  });

  test('unsupported identifier types, empty lists, too many identifiers, bad shapes', () => {
    expect(refused(() => normalizeIdentifiers([{ type: 'email', value: 'a@b.c' }], policy)).type).toBe('unsupportedIdentifier');
    expect(refused(() => normalizeIdentifiers([], policy)).type).toBe('malformed');
    expect(refused(() => normalizeIdentifiers('example.com', policy)).type).toBe('malformed');
    expect(refused(() => normalizeIdentifiers([{ value: 'x.com' }], policy)).type).toBe('malformed');
    const many = Array.from({ length: 6 }, (_, i) => dns(`n${i}.example.com`));
    expect(refused(() => normalizeIdentifiers(many, policy)).detail).toMatch(/at most 5 identifiers/);
  });
});

describe('contact policy', () => {
  test('accepts mailto addresses and normalises the domain', () => {
    expect(validateContact(['mailto:Ops@Example.COM'])).toEqual(['mailto:Ops@example.com']);
    expect(validateContact(undefined)).toEqual([]);
  });

  test.each([
    [['tel:+1555'], 'unsupportedContact'],
    [['https://example.com'], 'unsupportedContact'],
    [['mailto:a@example.com?subject=hi'], 'invalidContact'],
    [['mailto:a@example.com,b@example.com'], 'invalidContact'],
    [['mailto:no-at-sign'], 'invalidContact'],
    [['mailto:a@localhost'], 'invalidContact'],
    [['mailto:.a@example.com'], 'invalidContact'],
    [['not a url'], 'invalidContact'],
    ['mailto:a@example.com', 'malformed'],
    [[42], 'malformed'],
    [Array.from({ length: 11 }, (_, i) => `mailto:a${i}@example.com`), 'malformed'],
  ])('refuses %j as %s', (contact, type) => {
    expect(refused(() => validateContact(contact)).type).toBe(type);
  });
});
