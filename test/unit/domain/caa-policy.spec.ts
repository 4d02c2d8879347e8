import { caaRecheckDue, decideCaaRecheck, evolveAuthorization, type AuthorizationState } from '../../../src/domain/authorization';
import type { CaaCheckData } from '../../../src/domain/events';
import { evaluateCaa, parseIssueValue } from '../../../src/domain/policy/caa';

const ACCOUNT = 'https://ca.test/acme/acct/abc';
const req = (over: Partial<Parameters<typeof evaluateCaa>[1]> = {}) => ({ identities: ['ca.test'], accountUri: ACCOUNT, method: 'http-01', wildcard: false, ...over });
const issue = (value: string, flags = 0) => ({ flags, tag: 'issue', value });
const issuewild = (value: string) => ({ flags: 0, tag: 'issuewild', value });

describe('CAA evaluation (RFC 8659 §4, RFC 8657)', () => {
  test('no records, or none that restrict issuance, allow it', () => {
    expect(evaluateCaa([], req())).toMatchObject({ allowed: true, reason: 'no CAA records' });
    expect(evaluateCaa([{ flags: 0, tag: 'iodef', value: 'mailto:a@b.test' }], req()).allowed).toBe(true);
    expect(evaluateCaa([{ flags: 0, tag: 'unknowntag', value: 'x' }], req()).allowed).toBe(true);
    // issuewild restricts wildcards only.
    expect(evaluateCaa([issuewild(';')], req()).allowed).toBe(true);
  });

  test('issue names this CA (case-insensitively), or another CA, or nobody', () => {
    expect(evaluateCaa([issue('CA.test')], req()).allowed).toBe(true);
    expect(evaluateCaa([issue('other.test'), issue('ca.test')], req()).allowed).toBe(true);
    const other = evaluateCaa([issue('other.test')], req());
    expect(other).toMatchObject({ allowed: false });
    expect(other.reason).toMatch(/"other\.test".*do not authorize this CA \(ca\.test\)/);
    expect(evaluateCaa([issue(';')], req()).allowed).toBe(false);
    expect(evaluateCaa([issue('ca.test')], req({ identities: [] })).allowed).toBe(false);
  });

  test('wildcards use issuewild when present, else issue', () => {
    expect(evaluateCaa([issue('ca.test'), issuewild(';')], req({ wildcard: true })).allowed).toBe(false);
    expect(evaluateCaa([issue(';'), issuewild('ca.test')], req({ wildcard: true })).allowed).toBe(true);
    expect(evaluateCaa([issue('ca.test')], req({ wildcard: true })).allowed).toBe(true);
    expect(evaluateCaa([issue('other.test')], req({ wildcard: true })).allowed).toBe(false);
  });

  test('an unknown tag flagged critical forbids issuance; known critical tags do not', () => {
    const v = evaluateCaa([issue('ca.test'), { flags: 128, tag: 'tbs', value: 'x' }], req());
    expect(v).toMatchObject({ allowed: false });
    expect(v.reason).toMatch(/unknown critical tag "tbs"/);
    expect(evaluateCaa([issue('ca.test', 128)], req()).allowed).toBe(true);
  });

  test('accounturi must be the ordering account; validationmethods must list the method', () => {
    expect(evaluateCaa([issue(`ca.test; accounturi=${ACCOUNT}`)], req()).allowed).toBe(true);
    expect(evaluateCaa([issue('ca.test; accounturi=https://ca.test/acme/acct/other')], req()).allowed).toBe(false);
    expect(evaluateCaa([issue('ca.test; validationmethods=dns-01,http-01')], req()).allowed).toBe(true);
    expect(evaluateCaa([issue('ca.test; validationmethods=dns-01')], req()).allowed).toBe(false);
    expect(evaluateCaa([issue('ca.test; validationmethods=dns-01')], req({ method: 'dns-01' })).allowed).toBe(true);
  });

  test('a record with a duplicated or malformed parameter authorizes nobody', () => {
    expect(evaluateCaa([issue(`ca.test; accounturi=${ACCOUNT}; accounturi=${ACCOUNT}`)], req()).allowed).toBe(false);
    expect(evaluateCaa([issue('ca.test; nonsense')], req()).allowed).toBe(false);
    expect(parseIssueValue(' CA.test ; a = b ;')).toMatchObject({ issuer: 'ca.test', malformed: false });
    expect(parseIssueValue('ca.test; a=b').parameters.get('a')).toBe('b');
  });
});

describe('CAA on the authorization', () => {
  const NOW = new Date('2026-06-01T12:00:00Z');
  const check = (allowed: boolean, at: Date): CaaCheckData => ({
    checkedAt: at.toISOString(), domain: 'example.com', wildcard: false, method: 'http-01', accountUri: ACCOUNT, identities: ['ca.test'],
    relevantName: null, resolverUsed: '127.0.0.1', records: [], allowed, reason: allowed ? 'no CAA records' : 'refused',
  });
  const created = {
    type: 'AuthorizationCreated', data: { authzId: 'z1', accountId: 'a1', identifier: { type: 'dns', value: 'example.com' }, wildcard: false, expires: NOW.toISOString(),
      challenges: [{ challengeId: 'c1', type: 'http-01', token: 't' }], preAuthorization: false },
  } as const;
  const validated = (caa?: CaaCheckData) => ({ type: 'ChallengeValidated', data: { challengeId: 'c1', record: {}, expires: NOW.toISOString(), ...(caa ? { caa } : {}) } }) as const;
  const fold = (...events: unknown[]) => events.reduce<AuthorizationState | null>((s, e) => evolveAuthorization(s, e as never), null)!;

  test('a validation with an allowed check dates the check; one without (CAA off, or older events) leaves it unchecked', () => {
    expect(fold(created, validated(check(true, NOW))).caaCheckedAt).toBe(NOW.toISOString());
    expect(fold(created, validated()).caaCheckedAt).toBeNull();
  });

  test('a recheck is due when the check is older than the limit, or missing', () => {
    const eightHours = 8 * 3_600_000;
    const s = fold(created, validated(check(true, new Date(NOW.getTime() - eightHours + 1000))));
    expect(caaRecheckDue(s, NOW, eightHours)).toBe(false);
    expect(caaRecheckDue(s, new Date(NOW.getTime() + 2000), eightHours)).toBe(true);
    expect(caaRecheckDue(fold(created, validated()), NOW, eightHours)).toBe(true);
  });

  test('a recheck is recorded whatever its verdict; only an allowed one renews the date', () => {
    const s = fold(created, validated());
    const refused = decideCaaRecheck(s, check(false, NOW));
    expect(refused).toEqual([{ type: 'AuthorizationCaaRechecked', data: { caa: check(false, NOW) } }]);
    expect(fold(created, validated(), refused[0]).caaCheckedAt).toBeNull();
    expect(fold(created, validated(), decideCaaRecheck(s, check(true, NOW))[0]).caaCheckedAt).toBe(NOW.toISOString());
    expect(() => decideCaaRecheck(fold(created), check(true, NOW))).toThrow(/pending: there is nothing to recheck/);
  });
});
