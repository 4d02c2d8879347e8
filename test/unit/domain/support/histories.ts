import { type DomainEvent, event } from '../../../../src/domain/events';
import { at, HOUR } from './given';

/** Event histories the specs start from. */
export const accountRegistered = (over: Partial<{ contact: string[]; thumbprint: string }> = {}) =>
  event('AccountRegistered', {
    accountId: 'acct-1',
    jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
    thumbprint: over.thumbprint ?? 'tp-1',
    contact: over.contact ?? ['mailto:ops@example.com'],
    termsOfServiceAgreed: true,
    eabKeyId: null,
  });

export const authorizationCreated = (over: Partial<{ authzId: string; expires: string; value: string; wildcard: boolean }> = {}) =>
  event('AuthorizationCreated', {
    authzId: over.authzId ?? 'authz-1',
    accountId: 'acct-1',
    identifier: { type: 'dns', value: over.value ?? 'example.com' },
    wildcard: over.wildcard ?? false,
    expires: over.expires ?? at(HOUR),
    challenges: [
      { challengeId: 'ch-http', type: 'http-01', token: 'tok-http' },
      { challengeId: 'ch-dns', type: 'dns-01', token: 'tok-dns' },
    ],
    preAuthorization: false,
  });

export const validationRequested = (challengeId = 'ch-http') =>
  event('ChallengeValidationRequested', { challengeId, type: challengeId === 'ch-dns' ? 'dns-01' : 'http-01', keyAuthorization: 'tok-http.tp-1' });
export const validated = (expires = at(30 * 24 * HOUR), challengeId = 'ch-http') =>
  event('ChallengeValidated', { challengeId, record: { validatedAt: at(0), addressUsed: '192.0.2.1' }, expires });
export const failed = (challengeId = 'ch-http') =>
  event('ChallengeFailed', { challengeId, error: { type: 'urn:ietf:params:acme:error:incorrectResponse', detail: 'wrong key authorization' }, record: {} });

export type AuthzStory = 'pending' | 'processing' | 'valid' | 'invalid' | 'deactivated' | 'expired-recorded';

/** The events that take an authorization to a given recorded status. */
export function authorizationHistory(story: AuthzStory, over: Parameters<typeof authorizationCreated>[0] = {}): DomainEvent[] {
  const created = authorizationCreated(over);
  switch (story) {
    case 'pending':
      return [created];
    case 'processing':
      return [created, validationRequested()];
    case 'valid':
      return [created, validationRequested(), validated(over.expires ?? at(30 * 24 * HOUR))];
    case 'invalid':
      return [created, validationRequested(), failed()];
    case 'deactivated':
      return [created, event('AuthorizationDeactivated', { by: 'account' })];
    case 'expired-recorded':
      return [created, event('AuthorizationExpired', { expires: created.data.expires })];
  }
}

export const orderCreated = (over: Partial<{ expires: string; authorizationIds: string[] }> = {}) => {
  const authorizationIds = over.authorizationIds ?? ['authz-1'];
  return event('OrderCreated', {
    orderId: 'order-1',
    accountId: 'acct-1',
    identifiers: authorizationIds.map((_, i) => ({ type: 'dns', value: i === 0 ? 'example.com' : `n${i}.example.com` })),
    authorizationIds,
    notBefore: null,
    notAfter: null,
    expires: over.expires ?? at(7 * 24 * HOUR),
  });
};
export const finalizationRequested = () => event('OrderFinalizationRequested', { csr: 'MIIB', names: ['example.com'], keyType: 'ecdsa-p256' });
export const certificateIssuedForOrder = () => event('OrderCertificateIssued', { certificateId: 'cert-1', serial: '0a1b' });
export const orderFailed = () => event('OrderFailed', { error: { type: 'urn:ietf:params:acme:error:badCSR', detail: 'the CA refused the key' } });

export const certificateIssued = (over: Partial<{ notBefore: string; notAfter: string }> = {}) =>
  event('CertificateIssued', {
    certificateId: 'cert-1',
    orderId: 'order-1',
    accountId: 'acct-1',
    serial: '0a1b',
    names: ['example.com'],
    notBefore: over.notBefore ?? at(0),
    notAfter: over.notAfter ?? at(90 * 24 * HOUR),
    chainPem: '-----BEGIN CERTIFICATE-----',
    fingerprintSha256: 'ab'.repeat(32),
    keyType: 'ecdsa-p256',
    issuer: 'CN=certledger intermediate',
  });
