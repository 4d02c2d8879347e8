import { decideCreateOrder } from '../../../src/domain/order';
import { type CertificateProfile, checkProfileIdentifiers, checkProfileKey, chooseProfile, profilesMeta } from '../../../src/domain/policy/profiles';
import { refusalOf } from './support/given';

const profile = (name: string, over: Partial<CertificateProfile> = {}): CertificateProfile => ({
  name, description: `${name} profile`, validityMs: null, keyTypes: [], clientAuth: false, allowWildcard: true, allowIp: false, commonName: true, ...over,
});
const policy = { profiles: [profile('classic'), profile('shortlived', { validityMs: 6 * 86_400_000, keyTypes: ['ec'], allowWildcard: false, commonName: false })], defaultProfile: 'classic' };
const NOW = new Date('2026-06-01T00:00:00Z');

describe('certificate profiles (ACME profiles extension)', () => {
  test('the named profile, else the default (else the first); none without profiles', () => {
    expect(chooseProfile('shortlived', policy)?.name).toBe('shortlived');
    expect(chooseProfile(undefined, policy)?.name).toBe('classic');
    expect(chooseProfile(undefined, { ...policy, defaultProfile: null })?.name).toBe('classic');
    expect(chooseProfile(undefined, { profiles: [], defaultProfile: null })).toBeNull();
    expect(chooseProfile(undefined, undefined)).toBeNull();
  });

  test('an unknown profile is invalidProfile listing the offered ones; a non-string is malformed', () => {
    const e = refusalOf(() => chooseProfile('nope', policy));
    expect(e).toMatchObject({ type: 'invalidProfile' });
    expect(e.toProblem().status).toBe(400);
    expect(e.detail).toBe('profile "nope" is not offered (offered: classic, shortlived)');
    expect(refusalOf(() => chooseProfile('classic', undefined)).detail).toMatch(/offers no profiles/);
    expect(refusalOf(() => chooseProfile(7, policy)).type).toBe('malformed');
  });

  test('identifiers and CSR keys are held to the profile', () => {
    const short = policy.profiles[1];
    const e = refusalOf(() => checkProfileIdentifiers(short, [{ type: 'dns', value: 'a.example' }, { type: 'dns', value: '*.example' }]));
    expect(e).toMatchObject({ type: 'rejectedIdentifier', detail: 'profile shortlived does not allow *.example' });
    expect(e.subproblems).toEqual([{ type: 'rejectedIdentifier', detail: 'wildcards are not issued under profile shortlived', identifier: { type: 'dns', value: '*.example' } }]);
    expect(() => checkProfileIdentifiers(policy.profiles[0], [{ type: 'dns', value: '*.example' }])).not.toThrow();
    expect(() => checkProfileKey(short, 'ecdsa-p256')).not.toThrow();
    expect(refusalOf(() => checkProfileKey(short, 'rsa-2048'))).toMatchObject({ type: 'badCSR', detail: 'profile shortlived issues only for ec keys, not rsa-2048' });
    expect(() => checkProfileKey(policy.profiles[0], 'rsa-2048')).not.toThrow();
  });

  test('the directory lists name and description', () => {
    expect(profilesMeta(policy)).toEqual({ classic: 'classic profile', shortlived: 'shortlived profile' });
  });

  test('OrderCreated records the chosen profile, and nothing without profiles', () => {
    const create = (p: unknown, profiles?: typeof policy) =>
      decideCreateOrder(
        { type: 'CreateOrder', orderId: 'o1', accountId: 'a1', identifiers: [{ type: 'dns', value: 'a.example' }], authorizationIds: ['z1'], profile: p },
        { now: NOW, policy: { orderLifetimeMs: 1000, maxValidityMs: 86_400_000, profiles } },
      )[0].data as { profile?: string };
    expect(create('shortlived', policy).profile).toBe('shortlived');
    expect(create(undefined, policy).profile).toBe('classic');
    expect(create(undefined)).not.toHaveProperty('profile');
  });
});
