import { reverseName } from '../../../src/domain/policy/ip-identifier';
import { CHALLENGE_TYPES, offerChallenges, offeredChallengeTypes } from '../../../src/domain/challenge';
import { isRevocationReason, parseRevocationReason, REVOCATION_REASONS, revocationReasonName } from '../../../src/domain/revocation';
import { refusalOf, sequence } from './support/given';

describe('challenge types per identifier', () => {
  test('a wildcard is offered dns-01 only; any other name every type', () => {
    expect(offeredChallengeTypes(true)).toEqual(['dns-01']);
    expect(offeredChallengeTypes(false)).toEqual(['http-01', 'dns-01', 'tls-alpn-01']);
    expect([...CHALLENGE_TYPES].sort()).toEqual(['dns-01', 'http-01', 'tls-alpn-01']);
  });

  test('an IP address is never offered dns-01 (RFC 8738 §7)', () => {
    expect(offeredChallengeTypes(false, true)).toEqual(['http-01', 'tls-alpn-01']);
  });

  test('the reverse-DNS name of an IP identifier, the SNI of tls-alpn-01 (RFC 8738 §6)', () => {
    expect(reverseName('192.0.2.1')).toBe('1.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });

  test('ids and tokens come from the caller, one of each per challenge', () => {
    expect(offerChallenges(false, { newId: sequence('id'), newToken: sequence('tok') })).toEqual([
      { challengeId: 'id-1', type: 'http-01', token: 'tok-1' },
      { challengeId: 'id-2', type: 'dns-01', token: 'tok-2' },
      { challengeId: 'id-3', type: 'tls-alpn-01', token: 'tok-3' },
    ]);
  });
});

describe('revocation reasons (RFC 5280 §5.3.1)', () => {
  test('codes 0-10 except 7, with their names', () => {
    expect(Object.keys(REVOCATION_REASONS).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);
    expect(revocationReasonName(1)).toBe('keyCompromise');
    expect(revocationReasonName(4)).toBe('superseded');
    expect(revocationReasonName(7)).toBe('unknown(7)');
  });

  test('no reason means 0; a bad one is badRevocationReason listing the allowed ones', () => {
    expect(parseRevocationReason(undefined)).toBe(0);
    expect(parseRevocationReason(5)).toBe(5);
    const e = refusalOf(() => parseRevocationReason(7));
    expect(e.type).toBe('badRevocationReason');
    expect(e.detail).toMatch(/1 \(keyCompromise\)/);
    for (const bad of [-1, 11, 2.5, '0', null, {}]) expect(isRevocationReason(bad)).toBe(false);
  });
});
