import { type AuthorizationState, authorizationDecider } from '../../../src/domain/authorization';
import { event } from '../../../src/domain/events';
import { type OrderCommand, orderDecider } from '../../../src/domain/order';
import { at, DAY, fold, HOUR, NOW, scenario } from './support/given';
import { authorizationHistory, type AuthzStory, certificateIssuedForOrder, finalizationRequested, orderCreated, orderFailed } from './support/histories';

const policy = { orderLifetimeMs: 7 * DAY, maxValidityMs: 90 * DAY };
const authorizationsOf = (story: AuthzStory, expiresIn = HOUR) => [fold(authorizationDecider, authorizationHistory(story, { expires: at(expiresIn) })) as AuthorizationState];
const order = scenario(orderDecider, { now: NOW, policy, authorizations: authorizationsOf('valid') });
const csr = { der: 'MIIB', names: ['example.com'], keyType: 'ecdsa-p256' };
const create = (over: Record<string, unknown> = {}): OrderCommand => ({
  type: 'CreateOrder',
  orderId: 'order-1',
  accountId: 'acct-1',
  identifiers: [{ type: 'dns', value: 'example.com' }],
  authorizationIds: ['authz-1'],
  ...over,
});

describe('order: evolve', () => {
  test('OrderCreated holds what was ordered; nothing finalized yet', () => {
    expect(fold(orderDecider, [orderCreated()])).toEqual({ ...orderCreated().data, finalization: null, certificateId: null, error: null });
  });

  test('OrderFinalizationRequested, OrderCertificateIssued, OrderFailed, OrderExpired', () => {
    expect(fold(orderDecider, [orderCreated(), finalizationRequested()])?.finalization).toEqual({ names: ['example.com'], keyType: 'ecdsa-p256' });
    expect(fold(orderDecider, [orderCreated(), finalizationRequested(), certificateIssuedForOrder()])?.certificateId).toBe('cert-1');
    expect(fold(orderDecider, [orderCreated(), finalizationRequested(), orderFailed()])?.error).toEqual(orderFailed().data.error);
    expect(fold(orderDecider, [orderCreated(), event('OrderExpired', { expires: at(0) })])?.error?.detail).toMatch(/expired/);
  });
});

describe('order: decide', () => {
  test('creation records identifiers, authorizations, requested validity and an expiry from the policy', () => {
    order.given([]).when(create({ notBefore: '2026-11-25T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' })).then([
      event('OrderCreated', {
        orderId: 'order-1',
        accountId: 'acct-1',
        identifiers: [{ type: 'dns', value: 'example.com' }],
        authorizationIds: ['authz-1'],
        notBefore: '2026-11-25T00:00:00.000Z',
        notAfter: '2027-01-01T00:00:00.000Z',
        expires: at(7 * DAY),
      }),
    ]);
  });

  test.each([
    [{ notBefore: 'tomorrow' }, /notBefore must be an RFC 3339 date/],
    [{ notAfter: 12 }, /notAfter must be an RFC 3339 date/],
    [{ notBefore: '2026-12-02T00:00:00Z', notAfter: '2026-12-01T00:00:00Z' }, /later than notBefore/],
    [{ notAfter: '2027-12-01T00:00:00Z' }, /exceeds the maximum of 90 days/],
    [{ notAfter: '2026-11-01T00:00:00Z' }, /in the past/],
    [{ identifiers: [], authorizationIds: [] }, /at least one identifier/],
  ])('creation with %j is malformed', (over, detail) => {
    order.given([]).when(create(over)).thenRefuses('malformed', detail);
  });

  test('an order is created once', () => {
    order.given([orderCreated()]).when(create()).thenRefuses('malformed', /already exists/);
  });

  test('a ready order is finalized with the checked CSR', () => {
    order.given([orderCreated()]).when({ type: 'RequestFinalization', csr }).then([finalizationRequested()]);
  });

  test.each([
    ['pending', [orderCreated()], authorizationsOf('pending')],
    ['invalid', [orderCreated()], authorizationsOf('invalid')],
    ['invalid', [orderCreated()], authorizationsOf('valid', -1)],
    ['invalid', [orderCreated({ expires: at(-1) })], authorizationsOf('valid')],
    ['processing', [orderCreated(), finalizationRequested()], authorizationsOf('valid')],
    ['valid', [orderCreated(), finalizationRequested(), certificateIssuedForOrder()], authorizationsOf('valid')],
    ['invalid', [orderCreated(), finalizationRequested(), orderFailed()], authorizationsOf('valid')],
  ])('finalizing a %s order is orderNotReady, naming the status', (status, history, authorizations) => {
    const e = order.given(history).when({ type: 'RequestFinalization', csr }, { authorizations }).thenRefuses('orderNotReady', new RegExp(`order is ${status}`));
    expect(e.reason).toBeNull(); // orderNotReady says it all
    expect(e.extra.orderStatus).toBe(status);
  });

  test('the certificate is recorded once, only for an order being finalized', () => {
    const record = { type: 'RecordIssuance', certificateId: 'cert-1', serial: '0a1b' } as const;
    order.given([orderCreated(), finalizationRequested()]).when(record).then([certificateIssuedForOrder()]);
    order.given([orderCreated(), finalizationRequested(), certificateIssuedForOrder()]).when(record).then([]);
    order.given([orderCreated()]).when(record).thenRefuses('serverInternal', /not awaiting a certificate/);
    order.given([orderCreated(), finalizationRequested(), orderFailed()]).when(record).thenRefuses('serverInternal');
  });

  test('a finalization failure invalidates a processing order, and nothing else', () => {
    const fail = { type: 'FailFinalization', error: orderFailed().data.error } as const;
    order.given([orderCreated(), finalizationRequested()]).when(fail).then([orderFailed()]);
    order.given([orderCreated()]).when(fail).then([]);
    order.given([orderCreated(), finalizationRequested(), certificateIssuedForOrder()]).when(fail).then([]);
  });

  test('cleanup records the expiry of an unfinished order past its expiry', () => {
    const expired = [orderCreated({ expires: at(-1) })];
    order.given(expired).when({ type: 'ExpireOrder' }).then([event('OrderExpired', { expires: at(-1) })]);
    order.given([orderCreated()]).when({ type: 'ExpireOrder' }).then([]);
    order.given([orderCreated({ expires: at(-1) }), finalizationRequested()]).when({ type: 'ExpireOrder' }).then([]);
    order.given([...expired, event('OrderExpired', { expires: at(-1) })]).when({ type: 'ExpireOrder' }).then([]);
  });

  test('cleanup fails an order stuck in processing so the client stops waiting', () => {
    order.given([orderCreated(), finalizationRequested()]).when({ type: 'FailStuckOrder', stuckForMs: 30 * 60_000 }).then([
      event('OrderFailed', { error: { type: 'urn:ietf:params:acme:error:serverInternal', detail: 'issuance did not complete within 30 minutes; submit a new order' } }),
    ]);
    order.given([orderCreated()]).when({ type: 'FailStuckOrder', stuckForMs: 1 }).then([]);
    order.given([orderCreated(), finalizationRequested(), certificateIssuedForOrder()]).when({ type: 'FailStuckOrder', stuckForMs: 1 }).then([]);
  });

  test('commands on no order are a 404', () => {
    expect(order.given([]).when({ type: 'ExpireOrder' }).thenRefuses('malformed').reason).toEqual({ kind: 'notFound' });
  });
});
