import { authorizationDecider, authorizationStatus, type AuthorizationState } from '../../../src/domain/authorization';
import { event } from '../../../src/domain/events';
import { at, DAY, fold, HOUR, NOW, scenario, sequence } from './support/given';
import { authorizationCreated, authorizationHistory, failed, validationRequested } from './support/histories';

const policy = { pendingAuthorizationLifetimeMs: 7 * DAY, validAuthorizationLifetimeMs: 30 * DAY };
const context = () => ({ now: NOW, newId: sequence('ch'), newToken: sequence('tok'), policy });
const authz = scenario(authorizationDecider, context());
const whenFresh = () => ({ newId: sequence('ch'), newToken: sequence('tok') });
const state = (events: Parameters<typeof fold>[1]) => fold(authorizationDecider, events) as AuthorizationState;
const request = (challengeId = 'ch-http') => ({ type: 'RequestValidation', challengeId, keyAuthorization: 'tok-http.tp-1' }) as const;

describe('authorization: evolve', () => {
  test('AuthorizationCreated: pending, every challenge pending', () => {
    const s = state([authorizationCreated()]);
    expect(s).toMatchObject({ authzId: 'authz-1', status: 'pending', wildcard: false, preAuthorization: false, expires: at(HOUR) });
    expect(s.challenges.map((c) => [c.challengeId, c.status])).toEqual([
      ['ch-http', 'pending'],
      ['ch-dns', 'pending'],
    ]);
  });

  test('ChallengeValidationRequested: that challenge is processing with its key authorization', () => {
    const s = state(authorizationHistory('processing'));
    expect(s.status).toBe('pending');
    expect(s.challenges[0]).toMatchObject({ status: 'processing', keyAuthorization: 'tok-http.tp-1' });
  });

  test('ChallengeValidated: challenge and authorization valid, with the new expiry and validation time', () => {
    const s = state(authorizationHistory('valid'));
    expect(s).toMatchObject({ status: 'valid', expires: at(30 * 24 * HOUR) });
    expect(s.challenges[0]).toMatchObject({ status: 'valid', validated: at(0) });
  });

  test('ChallengeFailed: challenge and authorization invalid, with the error', () => {
    const s = state(authorizationHistory('invalid'));
    expect(s.status).toBe('invalid');
    expect(s.challenges[0].error).toEqual(failed().data.error);
  });

  test('AuthorizationDeactivated and AuthorizationExpired', () => {
    expect(state(authorizationHistory('deactivated')).status).toBe('deactivated');
    expect(state(authorizationHistory('expired-recorded')).status).toBe('expired');
  });

  test('an event naming a challenge the authorization does not have is a broken stream', () => {
    expect(() => state([authorizationCreated(), validationRequested('ch-nope')])).toThrow(/no challenge ch-nope/);
  });
});

describe('authorization: status by time', () => {
  test.each([
    ['pending', HOUR, 'pending'],
    ['pending', -1, 'expired'],
    ['valid', HOUR, 'valid'],
    ['valid', -1, 'expired'],
    ['invalid', -1, 'invalid'],
    ['deactivated', -1, 'deactivated'],
    ['expired-recorded', HOUR, 'expired'],
  ] as const)('%s, expiring in %d ms -> %s', (story, expiresIn, expected) => {
    expect(authorizationStatus(state(authorizationHistory(story, { expires: at(expiresIn) })), NOW)).toBe(expected);
  });

  test('at the very instant of `expires` the authorization is still usable', () => {
    expect(authorizationStatus(state(authorizationHistory('valid', { expires: at(0) })), NOW)).toBe('valid');
  });
});

describe('authorization: decide', () => {
  test('creation offers http-01, dns-01 and tls-alpn-01 with ids and tokens from the context', () => {
    authz
      .given([])
      .when({ type: 'CreateAuthorization', authzId: 'authz-9', accountId: 'acct-1', identifier: { type: 'dns', value: 'www.example.com' }, preAuthorization: true }, whenFresh())
      .then([
        event('AuthorizationCreated', {
          authzId: 'authz-9',
          accountId: 'acct-1',
          identifier: { type: 'dns', value: 'www.example.com' },
          wildcard: false,
          expires: at(7 * DAY),
          challenges: [
            { challengeId: 'ch-1', type: 'http-01', token: 'tok-1' },
            { challengeId: 'ch-2', type: 'dns-01', token: 'tok-2' },
            { challengeId: 'ch-3', type: 'tls-alpn-01', token: 'tok-3' },
          ],
          preAuthorization: true,
        }),
      ]);
  });

  test('a wildcard is authorized at its base domain through dns-01 only, and never pre-authorized', () => {
    authz
      .given([])
      .when({ type: 'CreateAuthorization', authzId: 'authz-9', accountId: 'acct-1', identifier: { type: 'dns', value: '*.example.com' }, preAuthorization: false }, whenFresh())
      .then([
        event('AuthorizationCreated', {
          authzId: 'authz-9',
          accountId: 'acct-1',
          identifier: { type: 'dns', value: 'example.com' },
          wildcard: true,
          expires: at(7 * DAY),
          challenges: [{ challengeId: 'ch-1', type: 'dns-01', token: 'tok-1' }],
          preAuthorization: false,
        }),
      ]);
    const e = authz
      .given([])
      .when({ type: 'CreateAuthorization', authzId: 'authz-9', accountId: 'acct-1', identifier: { type: 'dns', value: '*.example.com' }, preAuthorization: true })
      .thenRefuses('rejectedIdentifier', /cannot be pre-authorized/);
    expect(e.subproblems[0].identifier).toEqual({ type: 'dns', value: '*.example.com' });
  });

  test('an authorization is created once', () => {
    authz
      .given([authorizationCreated()])
      .when({ type: 'CreateAuthorization', authzId: 'authz-1', accountId: 'acct-1', identifier: { type: 'dns', value: 'example.com' }, preAuthorization: false })
      .thenRefuses('malformed', /already exists/);
  });

  test('answering a challenge of a pending authorization requests its validation', () => {
    authz.given([authorizationCreated()]).when(request()).then([validationRequested()]);
  });

  test('answering again while processing, or once valid, is idempotent: no events', () => {
    authz.given(authorizationHistory('processing')).when(request()).then([]);
    authz.given(authorizationHistory('processing')).when(request('ch-dns')).then([]);
    authz.given(authorizationHistory('valid')).when(request()).then([]);
    authz.given(authorizationHistory('valid')).when(request('ch-dns')).then([]);
  });

  test.each([
    ['invalid', /is invalid/],
    ['deactivated', /is deactivated/],
    ['expired-recorded', /is expired/],
  ] as const)('answering a challenge of a %s authorization is malformed', (story, detail) => {
    authz.given(authorizationHistory(story)).when(request('ch-dns')).thenRefuses('malformed', detail);
  });

  test('answering a challenge of an authorization past its expiry is malformed, even unrecorded', () => {
    authz.given([authorizationCreated({ expires: at(-1) })]).when(request()).thenRefuses('malformed', /is expired/);
  });

  test('an unknown challenge is a 404', () => {
    expect(authz.given([authorizationCreated()]).when(request('ch-nope')).thenRefuses('malformed').reason).toEqual({ kind: 'notFound' });
  });

  test('a validation outcome is recorded while processing; success extends the expiry by the valid lifetime', () => {
    const record = { validatedAt: at(0), addressUsed: '192.0.2.1' };
    authz.given(authorizationHistory('processing')).when({ type: 'RecordValidation', challengeId: 'ch-http', outcome: { ok: true, record } }).then([
      event('ChallengeValidated', { challengeId: 'ch-http', record, expires: at(30 * DAY) }),
    ]);
    authz
      .given(authorizationHistory('processing'))
      .when({ type: 'RecordValidation', challengeId: 'ch-http', outcome: { ok: false, error: failed().data.error, record: {} } })
      .then([failed()]);
  });

  test('a late or repeated outcome changes nothing', () => {
    const outcome = { ok: true, record: {} } as const;
    authz.given(authorizationHistory('valid')).when({ type: 'RecordValidation', challengeId: 'ch-http', outcome }).then([]);
    authz.given(authorizationHistory('deactivated')).when({ type: 'RecordValidation', challengeId: 'ch-http', outcome }).then([]);
    authz.given([authorizationCreated()]).when({ type: 'RecordValidation', challengeId: 'ch-http', outcome }).then([]);
  });

  test('deactivation only from pending or valid', () => {
    authz.given([authorizationCreated()]).when({ type: 'DeactivateAuthorization', by: 'account' }).then([event('AuthorizationDeactivated', { by: 'account' })]);
    authz.given(authorizationHistory('valid')).when({ type: 'DeactivateAuthorization', by: 'admin' }).then([event('AuthorizationDeactivated', { by: 'admin' })]);
    for (const story of ['invalid', 'deactivated', 'expired-recorded'] as const) {
      authz.given(authorizationHistory(story)).when({ type: 'DeactivateAuthorization', by: 'account' }).thenRefuses('malformed', /cannot be deactivated/);
    }
    authz.given([authorizationCreated({ expires: at(-1) })]).when({ type: 'DeactivateAuthorization', by: 'account' }).thenRefuses('malformed', /expired/);
  });

  test('cleanup records expiry of a pending authorization past its expiry, once', () => {
    authz.given([authorizationCreated({ expires: at(-1) })]).when({ type: 'ExpireAuthorization' }).then([event('AuthorizationExpired', { expires: at(-1) })]);
    authz.given([authorizationCreated()]).when({ type: 'ExpireAuthorization' }).then([]);
    authz.given(authorizationHistory('valid', { expires: at(-1) })).when({ type: 'ExpireAuthorization' }).then([]);
    authz.given(authorizationHistory('expired-recorded', { expires: at(-1) })).when({ type: 'ExpireAuthorization' }).then([]);
  });

  test('commands on no authorization are a 404', () => {
    expect(authz.given([]).when(request()).thenRefuses('malformed').reason).toEqual({ kind: 'notFound' });
  });
});
