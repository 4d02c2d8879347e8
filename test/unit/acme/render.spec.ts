import { renderAccount, renderAuthorization, renderChallenge, renderDirectory, renderOrder, renderOrdersList, renderProblem, renderRenewalInfo } from '../../../src/acme/http/render';
import { AcmeUrls } from '../../../src/acme/urls';
import type { OrderView } from '../../../src/commands/order-view';
import type { AccountState } from '../../../src/domain/account';
import type { AuthorizationState, ChallengeState } from '../../../src/domain/authorization';
import { AcmeError } from '../../../src/domain/errors';
import type { OrderState } from '../../../src/domain/order';

const urls = new AcmeUrls('https://ca.test');
const now = new Date('2026-06-01T12:00:00Z');
const later = '2026-06-08T12:00:00.000Z';
const earlier = '2026-05-01T12:00:00.000Z';

const challenge = (over: Partial<ChallengeState> = {}): ChallengeState => ({
  challengeId: 'ch1',
  type: 'http-01',
  token: 'tok1',
  status: 'pending',
  keyAuthorization: null,
  validated: null,
  error: null,
  ...over,
});

const authz = (over: Partial<AuthorizationState> = {}): AuthorizationState => ({
  authzId: 'az1',
  accountId: 'acct1',
  identifier: { type: 'dns', value: 'www.example.test' },
  wildcard: false,
  expires: later,
  preAuthorization: false,
  status: 'pending',
  challenges: [challenge(), challenge({ challengeId: 'ch2', type: 'dns-01', token: 'tok2' })],
  caaCheckedAt: null,
  ...over,
});

const order = (over: Partial<OrderState> = {}): OrderState => ({
  orderId: 'ord1',
  accountId: 'acct1',
  identifiers: [{ type: 'dns', value: 'www.example.test' }],
  authorizationIds: ['az1'],
  notBefore: null,
  notAfter: null,
  expires: later,
  finalization: null,
  certificateId: null,
  error: null,
  ...over,
});

const view = (status: OrderView['status'], o: Partial<OrderState> = {}, authorizations = [authz()]): OrderView => ({ order: order(o), revision: 1, authorizations, status });

describe('renderer: directory and account resources (RFC 8555 §7.1.1, §7.1.2)', () => {
  test('the directory names every resource by its absolute URL and carries the meta as given', () => {
    const meta = { termsOfService: 'https://ca.test/tos', externalAccountRequired: false };
    expect(renderDirectory(urls, meta)).toEqual({
      newNonce: 'https://ca.test/acme/new-nonce',
      newAccount: 'https://ca.test/acme/new-account',
      newOrder: 'https://ca.test/acme/new-order',
      newAuthz: 'https://ca.test/acme/new-authz',
      revokeCert: 'https://ca.test/acme/revoke-cert',
      keyChange: 'https://ca.test/acme/key-change',
      renewalInfo: 'https://ca.test/acme/renewal-info',
      meta,
    });
  });

  test('an account shows its status, contacts, terms agreement and orders URL, never its key', () => {
    const a: AccountState = { accountId: 'acct1', jwk: { kty: 'EC' } as AccountState['jwk'], thumbprint: 'tp', contact: ['mailto:a@example.test'], termsOfServiceAgreed: true, status: 'valid', eabKeyId: null };
    expect(renderAccount(urls, 'acct1', a)).toEqual({
      status: 'valid',
      contact: ['mailto:a@example.test'],
      termsOfServiceAgreed: true,
      orders: 'https://ca.test/acme/acct/acct1/orders',
    });
  });

  test('an orders list holds the order URLs in the order given', () => {
    expect(renderOrdersList(urls, ['o2', 'o1'])).toEqual({ orders: ['https://ca.test/acme/order/o2', 'https://ca.test/acme/order/o1'] });
  });
});

describe('renderer: authorizations and challenges (RFC 8555 §7.1.4, §7.1.5)', () => {
  test('a pending challenge has type, URL, status and token only', () => {
    expect(renderChallenge(urls, 'az1', challenge())).toEqual({ type: 'http-01', url: 'https://ca.test/acme/chall/az1/ch1', status: 'pending', token: 'tok1' });
  });

  test('a failed challenge carries its recorded error unchanged, a valid one its validation time', () => {
    const error = { type: 'urn:ietf:params:acme:error:caa', detail: 'CAA forbids', status: 403 };
    expect(renderChallenge(urls, 'az1', challenge({ status: 'invalid', error })).error).toEqual(error);
    expect(renderChallenge(urls, 'az1', challenge({ status: 'valid', validated: earlier }))).toMatchObject({ status: 'valid', validated: earlier });
  });

  test('a pending authorization lists every challenge; wildcard appears only when true', () => {
    const r = renderAuthorization(urls, authz(), now);
    expect(r).toEqual({
      identifier: { type: 'dns', value: 'www.example.test' },
      status: 'pending',
      expires: later,
      challenges: [expect.objectContaining({ type: 'http-01' }), expect.objectContaining({ type: 'dns-01' })],
    });
    expect(r).not.toHaveProperty('wildcard');
    expect(renderAuthorization(urls, authz({ wildcard: true }), now).wildcard).toBe(true);
  });

  test('a valid authorization shows only the challenge that succeeded', () => {
    const a = authz({ status: 'valid', challenges: [challenge({ status: 'valid', validated: earlier }), challenge({ challengeId: 'ch2', type: 'dns-01' })] });
    expect(renderAuthorization(urls, a, now).challenges.map((c) => c.type)).toEqual(['http-01']);
  });

  test('a pending authorization past its expiry is shown expired, whether or not cleanup recorded it', () => {
    expect(renderAuthorization(urls, authz({ expires: earlier }), now).status).toBe('expired');
  });
});

describe('renderer: orders (RFC 8555 §7.1.3)', () => {
  test('a pending order leaves out the members it does not have', () => {
    expect(renderOrder(urls, view('pending'), now)).toEqual({
      status: 'pending',
      expires: later,
      identifiers: [{ type: 'dns', value: 'www.example.test' }],
      authorizations: ['https://ca.test/acme/authz/az1'],
      finalize: 'https://ca.test/acme/order/ord1/finalize',
    });
  });

  test('notBefore, notAfter, profile, replaces and certificate appear when the order has them', () => {
    const r = renderOrder(urls, view('valid', { notBefore: earlier, notAfter: later, profile: 'tls', replaces: { certificateId: 'c0', certId: 'aYgq.AIda' }, certificateId: 'c1' }), now);
    expect(r).toMatchObject({ notBefore: earlier, notAfter: later, profile: 'tls', replaces: 'aYgq.AIda', certificate: 'https://ca.test/acme/cert/c1' });
  });

  test('an invalid order carries why; an order in any other status carries no error', () => {
    const failed = { type: 'urn:ietf:params:acme:error:badCSR', detail: 'bad key', status: 400 };
    expect(renderOrder(urls, view('invalid', { error: failed }), now).error).toEqual(failed);
    expect(renderOrder(urls, view('invalid', { expires: earlier }), now).error).toEqual({ type: 'urn:ietf:params:acme:error:malformed', detail: 'the order expired before it was finalized' });
    expect(renderOrder(urls, view('processing', { error: failed }), now)).not.toHaveProperty('error');
  });
});

describe('renderer: renewal information and problems', () => {
  test('renewal information is the suggested window (RFC 9773 §4.2)', () => {
    const window = { start: earlier, end: later };
    expect(renderRenewalInfo(window)).toEqual({ suggestedWindow: window });
  });

  test('a problem document has the URN type, the detail, the response status, extension members and subproblems', () => {
    const e = new AcmeError('rejectedIdentifier', 'two names refused', [{ type: 'rejectedIdentifier', detail: 'a_b', identifier: { type: 'dns', value: 'a_b.test' } }], { extra: { hint: 'x' } });
    expect(renderProblem(e, 400)).toEqual({
      hint: 'x',
      type: 'urn:ietf:params:acme:error:rejectedIdentifier',
      detail: 'two names refused',
      status: 400,
      subproblems: [{ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'a_b', identifier: { type: 'dns', value: 'a_b.test' } }],
    });
    expect(renderProblem(new AcmeError('malformed', 'no such order', [], { reason: { kind: 'notFound' } }), 404)).toEqual({
      type: 'urn:ietf:params:acme:error:malformed',
      detail: 'no such order',
      status: 404,
    });
  });
});
