import { authorizationName, isWildcard, normalizeIdentifiers } from '../../../src/domain/identifiers';
import { refusalOf } from './support/given';

const policy = { maxIdentifiers: 5, allowWildcard: true };
const dns = (value: string) => ({ type: 'dns', value });

describe('identifier policy: accepted names', () => {
  test.each([
    'example.com',
    'a-b.example.com',
    'xn--bcher-kva.example',
    'www.xn--bcher-kva.example',
    '*.example.com',
    '*.xn--bcher-kva.example',
    'a.b.c.d.example.org',
    '0.example.com',
    '123.example.com',
    'example.co.uk',
    'example.xn--p1ai',
    `${'a'.repeat(63)}.example.com`,
    `${'a.'.repeat(125)}com`, // 253 characters
  ])('accepts %s', (v) => {
    expect(normalizeIdentifiers([dns(v)], policy)).toEqual([dns(v)]);
  });
});

describe('identifier policy: refused names, each as rejectedIdentifier naming the identifier', () => {
  test.each([
    ['', /empty/],
    ['example', /at least two labels/],
    ['com', /at least two labels/],
    ['example.com.', /must not end with a dot/],
    ['.example.com', /empty label/],
    ['a..example.com', /empty label/],
    ['-bad.example.com', /letters, digits and inner hyphens/],
    ['bad-.example.com', /letters, digits and inner hyphens/],
    ['bad_label.example.com', /letters, digits and inner hyphens/],
    ['exa mple.com', /letters, digits and inner hyphens/],
    ['example.com:443', /letters, digits and inner hyphens/],
    ['ab--cd.example.com', /third and fourth positions/],
    ['xn--.example.com', /letters, digits and inner hyphens/],
    ['bücher.example', /punycode \(xn--\) form/],
    [`${'a'.repeat(64)}.example.com`, /longer than 63/],
    [`${'a.'.repeat(126)}com`, /limit is 253/],
    ['*', /at least two labels/],
    ['*.com', /at least two labels/],
    ['a*.example.com', /wildcard is allowed only/],
    ['*a.example.com', /wildcard is allowed only/],
    ['x.*.example.com', /wildcard is allowed only/],
    ['*.*.example.com', /wildcard is allowed only/],
    ['example.*', /wildcard is allowed only/],
    ['192.168.0.1', /top-level label must not be all digits/],
    ['example.123', /top-level label must not be all digits/],
  ])('refuses %j', (v, detail) => {
    const e = refusalOf(() => normalizeIdentifiers([dns(v)], policy));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(detail);
    expect(e.subproblems).toHaveLength(1);
    expect(e.subproblems[0]).toMatchObject({ type: 'rejectedIdentifier', identifier: dns(v) });
  });

  test('wildcards are refused when the policy does not allow them', () => {
    const e = refusalOf(() => normalizeIdentifiers([dns('*.example.com')], { maxIdentifiers: 5, allowWildcard: false }));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(/wildcard/);
  });
});

describe('identifier policy: types', () => {
  test('with IP identifiers allowed (RFC 8738): canonical forms, and refusals naming the problem', () => {
    const ip = (value: string) => ({ type: 'ip', value });
    const allow = { ...policy, allowIp: true };
    expect(normalizeIdentifiers([ip('192.0.2.1'), ip('2001:DB8:0:0::1'), ip('2001:db8::1')], allow)).toEqual([ip('192.0.2.1'), ip('2001:db8::1')]);
    for (const [value, detail] of [['192.0.2.01', /leading zero/], ['192.0.2.256', /not a valid IPv4/], ['192.0.2', /not an IPv4 or IPv6/], ['example.com', /not an IPv4 or IPv6/], ['::ffff:192.0.2.1', /IPv4-mapped/], ['fe80::1%eth0', /not an IPv4 or IPv6|zone index/]] as const) {
      const e = refusalOf(() => normalizeIdentifiers([ip(value)], allow));
      expect(e.type).toBe('rejectedIdentifier');
      expect(e.detail).toMatch(detail);
    }
  });

  test('an IP identifier is rejectedIdentifier with a note that only DNS names are issued', () => {
    const e = refusalOf(() => normalizeIdentifiers([{ type: 'ip', value: '192.0.2.1' }], policy));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(/IP address identifiers .* not issued by this CA; order a DNS name/);
    expect(e.subproblems[0].identifier).toEqual({ type: 'ip', value: '192.0.2.1' });
  });

  test.each(['email', 'DNS', 'permanent-identifier', ''])('type %j is unsupportedIdentifier', (type) => {
    const e = refusalOf(() => normalizeIdentifiers([{ type, value: 'example.com' }], policy));
    expect(e.type).toBe('unsupportedIdentifier');
    expect(e.subproblems[0].identifier).toEqual({ type, value: 'example.com' });
  });
});

describe('identifier policy: normalisation', () => {
  test('lowercases and deduplicates, keeping the first position of each name', () => {
    expect(normalizeIdentifiers([dns('WWW.Example.COM'), dns('example.com'), dns('www.example.com'), dns('*.EXAMPLE.com')], policy)).toEqual([
      dns('www.example.com'),
      dns('example.com'),
      dns('*.example.com'),
    ]);
  });

  test('a wildcard and its base name are different identifiers', () => {
    expect(normalizeIdentifiers([dns('*.example.com'), dns('example.com')], policy)).toHaveLength(2);
    expect(isWildcard('*.example.com')).toBe(true);
    expect(authorizationName('*.example.com')).toBe('example.com');
    expect(authorizationName('www.example.com')).toBe('www.example.com');
  });
});

describe('identifier policy: several problems at once', () => {
  test('one subproblem per bad identifier, with that identifier; good ones are not mentioned', () => {
    const e = refusalOf(() =>
      normalizeIdentifiers([dns('ok.example.com'), dns('bad_.example.com'), { type: 'ip', value: '192.0.2.1' }, dns('also..bad.com')], policy),
    );
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(/^3 identifiers were refused: 'bad_.example.com', '192.0.2.1', 'also..bad.com'/);
    expect(e.subproblems.map((s) => [s.type, s.identifier])).toEqual([
      ['rejectedIdentifier', dns('bad_.example.com')],
      ['rejectedIdentifier', { type: 'ip', value: '192.0.2.1' }],
      ['rejectedIdentifier', dns('also..bad.com')],
    ]);
  });

  test('problems of one other kind keep that kind; a mixture is rejectedIdentifier; a malformed entry makes it malformed', () => {
    const unsupported = refusalOf(() => normalizeIdentifiers([{ type: 'email', value: 'a@b.com' }, { type: 'uri', value: 'x' }], policy));
    expect(unsupported.type).toBe('unsupportedIdentifier');
    const mixed = refusalOf(() => normalizeIdentifiers([{ type: 'email', value: 'a@b.com' }, dns('bad_.com')], policy));
    expect(mixed.type).toBe('rejectedIdentifier');
    expect(mixed.subproblems.map((s) => s.type)).toEqual(['unsupportedIdentifier', 'rejectedIdentifier']);
    const malformed = refusalOf(() => normalizeIdentifiers([{ value: 'x.com' }, dns('bad_.com')], policy));
    expect(malformed.type).toBe('malformed');
    expect(malformed.subproblems[0]).toEqual({ type: 'malformed', detail: expect.stringMatching(/string "type" and "value"/) });
  });

  test('the problem document lists every subproblem with its identifier', () => {
    const problem = refusalOf(() => normalizeIdentifiers([dns('a_b.com'), { type: 'ip', value: '::1' }], policy)).toProblem();
    expect(problem.subproblems).toEqual([
      { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: expect.any(String), identifier: dns('a_b.com') },
      { type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: expect.any(String), identifier: { type: 'ip', value: '::1' } },
    ]);
  });
});

describe('identifier policy: the list itself', () => {
  test.each([[[]], ['example.com'], [{ identifiers: [] }], [null], [undefined]])('%j is malformed', (input) => {
    expect(refusalOf(() => normalizeIdentifiers(input, policy)).type).toBe('malformed');
  });

  test.each([[null], ['example.com'], [{ type: 'dns' }], [{ type: 'dns', value: 7 }]])('entry %j is malformed', (entry) => {
    const e = refusalOf(() => normalizeIdentifiers([entry], policy));
    expect(e.type).toBe('malformed');
    expect(e.subproblems).toHaveLength(1);
  });

  test('more than maxIdentifiers is rejectedIdentifier', () => {
    const many = Array.from({ length: 6 }, (_, i) => dns(`n${i}.example.com`));
    const e = refusalOf(() => normalizeIdentifiers(many, policy));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(/at most 5 identifiers \(got 6\)/);
    expect(normalizeIdentifiers(many.slice(0, 5), policy)).toHaveLength(5);
  });
});

describe('identifier policy: A-labels must be valid IDNA 2008 / UTS 46 punycode', () => {
  test.each([
    ['xn--zz.example', /not valid punycode/],
    ['xn--a.example', /not valid punycode/],
    ['www.xn--zz.example.com', /not valid punycode/],
    ['xn--ls8h.example', /U\+1F4A9, a character IDNA 2008 does not allow/],
    ['xn--53h.example', /U\+2615/],
    ['xn--abc-.example', /letters, digits and inner hyphens/],
  ])('refuses %s as rejectedIdentifier', (v, detail) => {
    const e = refusalOf(() => normalizeIdentifiers([dns(v)], policy));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.detail).toMatch(detail);
  });

  test.each(['xn--bcher-kva.example', 'xn--mnchen-3ya.de', 'xn--zca.example', 'example.xn--p1ai', 'xn--fiqs8s.example'])('accepts %s', (v) => {
    expect(normalizeIdentifiers([dns(v)], policy)).toEqual([dns(v)]);
  });
});
