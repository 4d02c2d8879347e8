import { type AccountState, decideKeyChange, decideRegisterAccount, decideUpdateAccount, evolveAccount, reservedAccount } from '../../../src/domain/account';
import {
  type AuthorizationState,
  authorizationStatus,
  decideDeactivateAuthorization,
  decideRequestValidation,
  decideValidationResult,
  evolveAuthorization,
  offeredChallengeTypes,
} from '../../../src/domain/authorization';
import { type CertificateState, decideExpirationWarning, decideRevoke } from '../../../src/domain/certificate';
import { AcmeError } from '../../../src/domain/errors';
import { assertKnownEvent, type DomainEvent, event, EVENT_TYPES, UnknownEventTypeError } from '../../../src/domain/events';
import { decideFinalize, evolveOrder, type OrderState, orderStatus } from '../../../src/domain/order';

const now = new Date('2026-11-24T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms).toISOString();
const fold = <S>(evolve: (s: S | null, e: DomainEvent) => S | null, events: DomainEvent[]) => events.reduce<S | null>((s, e) => evolve(s, e), null)!;

function refusal(fn: () => unknown): AcmeError {
  try {
    fn();
  } catch (e) {
    return e as AcmeError;
  }
  throw new Error('expected a refusal');
}

function authz(status: 'pending' | 'valid' | 'invalid' | 'deactivated' = 'pending', expiresIn = 3_600_000): AuthorizationState {
  const created = event('AuthorizationCreated', {
    authzId: 'z1',
    accountId: 'a1',
    identifier: { type: 'dns', value: 'example.com' },
    wildcard: false,
    expires: later(expiresIn),
    challenges: [
      { challengeId: 'c1', type: 'http-01', token: 't1' },
      { challengeId: 'c2', type: 'dns-01', token: 't2' },
    ],
    preAuthorization: false,
  });
  const events: DomainEvent[] = [created];
  if (status !== 'pending') events.push(event('ChallengeValidationRequested', { challengeId: 'c1', type: 'http-01', keyAuthorization: 'k' }));
  if (status === 'valid') events.push(event('ChallengeValidated', { challengeId: 'c1', record: {}, expires: later(expiresIn) }));
  if (status === 'invalid') events.push(event('ChallengeFailed', { challengeId: 'c1', error: { type: 'x', detail: 'y' }, record: {} }));
  if (status === 'deactivated') events.push(event('AuthorizationDeactivated', { by: 'account' }));
  return fold(evolveAuthorization, events);
}

function order(extra: DomainEvent[] = [], expiresIn = 3_600_000): OrderState {
  return fold(evolveOrder, [
    event('OrderCreated', { orderId: 'o1', accountId: 'a1', identifiers: [{ type: 'dns', value: 'example.com' }], authorizationIds: ['z1'], notBefore: null, notAfter: null, expires: later(expiresIn) }),
    ...extra,
  ]);
}

describe('event catalog', () => {
  test('an unknown type is an error, every catalogued type is known', () => {
    expect(() => assertKnownEvent('AccountRenamed')).toThrow(UnknownEventTypeError);
    for (const t of EVENT_TYPES) expect(() => assertKnownEvent(t)).not.toThrow();
  });
});

describe('account', () => {
  const registered = () => decideRegisterAccount({ accountId: 'a1', jwk: { kty: 'EC' }, thumbprint: 'tp1', contact: ['mailto:a@example.com'], termsOfServiceAgreed: true, termsOfServiceRequired: true, eabKeyId: null });

  test('registration reserves the key and records the agreement', () => {
    const d = registered();
    expect(d.reservation).toEqual([event('AccountKeyReserved', { accountId: 'a1', thumbprint: 'tp1' })]);
    const state = fold(evolveAccount, d.account) as AccountState;
    expect(state).toMatchObject({ status: 'valid', contact: ['mailto:a@example.com'], termsOfServiceAgreed: true });
  });

  test('terms of service must be agreed when required', () => {
    const e = refusal(() => decideRegisterAccount({ accountId: 'a', jwk: { kty: 'EC' }, thumbprint: 't', contact: [], termsOfServiceAgreed: false, termsOfServiceRequired: true, eabKeyId: null }));
    expect(e.type).toBe('userActionRequired');
  });

  test('update, deactivate, then every decision is unauthorized', () => {
    let s = fold(evolveAccount, registered().account) as AccountState;
    const upd = decideUpdateAccount(s, { contact: ['mailto:b@example.com'] });
    expect(upd).toEqual([event('AccountContactUpdated', { contact: ['mailto:b@example.com'] })]);
    expect(decideUpdateAccount(s, { contact: ['mailto:a@example.com'] })).toEqual([]);
    expect(refusal(() => decideUpdateAccount(s, { status: 'valid' })).type).toBe('malformed');
    s = [...upd, ...decideUpdateAccount(s, { status: 'deactivated' })].reduce<AccountState | null>((x, e) => evolveAccount(x, e), s)!;
    expect(s.status).toBe('deactivated');
    expect(refusal(() => decideUpdateAccount(s, {})).type).toBe('unauthorized');
    expect(refusal(() => decideKeyChange(s, { kty: 'EC' }, 'tp2')).type).toBe('unauthorized');
  });

  test('key change to the same key is malformed; the reservation stream names the owner', () => {
    const s = fold(evolveAccount, registered().account) as AccountState;
    expect(refusal(() => decideKeyChange(s, { kty: 'EC' }, 'tp1')).type).toBe('malformed');
    expect(reservedAccount([event('AccountKeyReserved', { accountId: 'a1', thumbprint: 't' })])).toBe('a1');
    expect(reservedAccount([event('AccountKeyReserved', { accountId: 'a1', thumbprint: 't' }), event('AccountKeyReleased', { accountId: 'a1', thumbprint: 't' })])).toBeNull();
  });
});

describe('authorization', () => {
  test('wildcards are offered dns-01 only', () => {
    expect(offeredChallengeTypes(true)).toEqual(['dns-01']);
    expect(offeredChallengeTypes(false)).toEqual(['http-01', 'dns-01', 'tls-alpn-01']);
  });

  test('requesting validation is idempotent while processing and after success', () => {
    const a = authz();
    const requested = decideRequestValidation(a, 'c1', 'k', now);
    expect(requested).toEqual([event('ChallengeValidationRequested', { challengeId: 'c1', type: 'http-01', keyAuthorization: 'k' })]);
    const processing = evolveAuthorization(a, requested[0])!;
    expect(decideRequestValidation(processing, 'c1', 'k', now)).toEqual([]);
    expect(decideRequestValidation(processing, 'c2', 'k', now)).toEqual([]);
    expect(decideRequestValidation(authz('valid'), 'c1', 'k', now)).toEqual([]);
  });

  test('challenges of invalid, deactivated or expired authorizations cannot be answered', () => {
    expect(refusal(() => decideRequestValidation(authz('invalid'), 'c2', 'k', now)).detail).toMatch(/is invalid/);
    expect(refusal(() => decideRequestValidation(authz('deactivated'), 'c2', 'k', now)).detail).toMatch(/is deactivated/);
    expect(refusal(() => decideRequestValidation(authz('pending', -1), 'c1', 'k', now)).detail).toMatch(/is expired/);
    expect(refusal(() => decideRequestValidation(authz(), 'nope', 'k', now)).status).toBe(404);
  });

  test('a validation outcome is recorded once, only while processing', () => {
    const processing = evolveAuthorization(authz(), event('ChallengeValidationRequested', { challengeId: 'c1', type: 'http-01', keyAuthorization: 'k' }))!;
    const ok = decideValidationResult(processing, 'c1', { ok: true, record: { a: 1 }, validFor: 1000, now });
    expect(ok[0].type).toBe('ChallengeValidated');
    const valid = evolveAuthorization(processing, ok[0])!;
    expect(valid.status).toBe('valid');
    expect(valid.expires).toBe(later(1000));
    expect(decideValidationResult(valid, 'c1', { ok: false, error: { type: 'x', detail: 'y' }, record: {} })).toEqual([]);
  });

  test('status reads expired past the expiry; deactivation only from pending or valid', () => {
    expect(authorizationStatus(authz('valid', -1), now)).toBe('expired');
    expect(authorizationStatus(authz('invalid', -1), now)).toBe('invalid');
    expect(decideDeactivateAuthorization(authz('valid'), now, 'account')).toHaveLength(1);
    expect(refusal(() => decideDeactivateAuthorization(authz('invalid'), now, 'account')).type).toBe('malformed');
  });
});

describe('order status', () => {
  test.each([
    [[], 'pending', 'pending'],
    [[], 'valid', 'ready'],
    [[], 'invalid', 'invalid'],
    [[], 'deactivated', 'invalid'],
    [[event('OrderFinalizationRequested', { csr: 'x', names: ['example.com'], keyType: 'ecdsa-p256' })], 'valid', 'processing'],
    [[event('OrderFinalizationRequested', { csr: 'x', names: [], keyType: '' }), event('OrderCertificateIssued', { certificateId: 'c', serial: '01' })], 'valid', 'valid'],
    [[event('OrderFailed', { error: { type: 'x', detail: 'y' } })], 'valid', 'invalid'],
  ] as const)('%#: authorization %s -> order %s', (extra, authzStatus, expected) => {
    expect(orderStatus(order([...extra]), [authz(authzStatus)], now)).toBe(expected);
  });

  test('an expired authorization or an expired order makes the order invalid', () => {
    expect(orderStatus(order(), [authz('valid', -1)], now)).toBe('invalid');
    expect(orderStatus(order([], -1), [authz('pending')], now)).toBe('invalid');
  });

  test('finalize only when ready', () => {
    expect(refusal(() => decideFinalize(order(), 'pending', { der: 'x', names: [], keyType: '' })).type).toBe('orderNotReady');
    expect(decideFinalize(order(), 'ready', { der: 'x', names: ['example.com'], keyType: 'ecdsa-p256' })[0].type).toBe('OrderFinalizationRequested');
  });
});

describe('certificate revocation', () => {
  const cert = (revoked = false): CertificateState => ({
    certificateId: 'c', orderId: 'o', accountId: 'a', serial: '0a', names: ['example.com'], notBefore: '', notAfter: '', chainPem: '',
    fingerprintSha256: '', keyType: 'ecdsa-p256', issuer: '', revoked: revoked ? { reason: 0, at: null } : null, warned: [],
  });
  test('reasons 0-10 except 7; default 0; already revoked', () => {
    expect(decideRevoke(cert(), undefined, 'account', 'a')).toEqual([event('CertificateRevoked', { serial: '0a', reason: 0, by: 'account', actor: 'a' })]);
    for (const r of [0, 1, 2, 3, 4, 5, 6, 8, 9, 10]) expect(decideRevoke(cert(), r, 'account', 'a')).toHaveLength(1);
    for (const r of [7, 11, -1, 1.5, '1']) expect(refusal(() => decideRevoke(cert(), r, 'account', 'a')).type).toBe('badRevocationReason');
    expect(refusal(() => decideRevoke(cert(true), 1, 'account', 'a')).type).toBe('alreadyRevoked');
  });
});

describe('expiration warnings', () => {
  const DAY = 86_400_000;
  const issued = (daysLeft: number): CertificateState => ({
    certificateId: 'c', orderId: 'o', accountId: 'a', serial: '0a', names: ['example.com'], notBefore: now.toISOString(),
    notAfter: new Date(now.getTime() + daysLeft * DAY).toISOString(), chainPem: '', fingerprintSha256: '', keyType: 'ecdsa-p256', issuer: '', revoked: null, warned: [],
  });
  const thresholds = [30, 14, 7, 1];

  test('nothing before the first threshold; the nearest crossed threshold once', () => {
    expect(decideExpirationWarning(issued(31), thresholds, now, [])).toEqual([]);
    const at30 = decideExpirationWarning(issued(29.5), thresholds, now, ['a@example.com']);
    expect(at30).toHaveLength(1);
    expect(at30[0]).toMatchObject({ type: 'ExpirationWarningSent', data: { thresholdDays: 30, contacts: ['a@example.com'] } });
    const warned = { ...issued(29.5), warned: [30] };
    expect(decideExpirationWarning(warned, thresholds, now, [])).toEqual([]);
    expect(decideExpirationWarning({ ...issued(13), warned: [30] }, thresholds, now, [])[0]).toMatchObject({ data: { thresholdDays: 14 } });
  });

  test('a certificate found late gets only the nearest threshold', () => {
    const late = decideExpirationWarning(issued(5), thresholds, now, []);
    expect(late.map((e) => (e.data as { thresholdDays: number }).thresholdDays)).toEqual([7]);
    expect(decideExpirationWarning({ ...issued(5), warned: [7] }, thresholds, now, [])).toEqual([]);
  });

  test('revoked and expired certificates get none', () => {
    expect(decideExpirationWarning({ ...issued(3), revoked: { reason: 1, at: null } }, thresholds, now, [])).toEqual([]);
    expect(decideExpirationWarning(issued(-1), thresholds, now, [])).toEqual([]);
  });
});
