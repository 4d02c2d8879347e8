import type { AuthorizationState } from '../../../src/domain/authorization';
import type { DomainEvent } from '../../../src/domain/events';
import { deriveOrderStatus, orderDecider, orderError, type OrderState, orderStatus } from '../../../src/domain/order';
import { authorizationDecider } from '../../../src/domain/authorization';
import { at, HOUR, fold, NOW } from './support/given';
import {
  authorizationHistory,
  type AuthzStory,
  certificateIssuedForOrder,
  finalizationRequested,
  orderCreated,
  orderFailed,
} from './support/histories';

type OrderStory = 'created' | 'finalizing' | 'issued' | 'failed' | 'expired-recorded';

function orderOf(story: OrderStory, expiresIn = 7 * 24 * HOUR, authorizationIds = ['authz-1', 'authz-2']): OrderState {
  const created = orderCreated({ expires: at(expiresIn), authorizationIds });
  const history: Record<OrderStory, DomainEvent[]> = {
    created: [created],
    finalizing: [created, finalizationRequested()],
    issued: [created, finalizationRequested(), certificateIssuedForOrder()],
    failed: [created, finalizationRequested(), orderFailed()],
    'expired-recorded': [created, { type: 'OrderExpired', data: { expires: created.data.expires } }],
  };
  return fold(orderDecider, history[story]) as OrderState;
}

/** Authorizations authz-1 and authz-2 told by their stories; `expired` means valid or pending past expiry. */
function authzs(...stories: Array<AuthzStory | `${'pending' | 'valid'}-past-expiry`>): AuthorizationState[] {
  return stories.map((story, i) => {
    const past = story.endsWith('-past-expiry');
    const base = (past ? story.replace('-past-expiry', '') : story) as AuthzStory;
    return fold(authorizationDecider, authorizationHistory(base, { authzId: `authz-${i + 1}`, expires: at(past ? -1 : HOUR) })) as AuthorizationState;
  });
}

describe('order status (RFC 8555 §7.1.6, as Boulder and Pebble derive it)', () => {
  test.each([
    // order's own events  authorizations                          status
    ['created', ['pending', 'pending'], 'pending'],
    ['created', ['valid', 'pending'], 'pending'],
    ['created', ['processing', 'valid'], 'pending'],
    ['created', ['valid', 'valid'], 'ready'],
    ['created', ['invalid', 'pending'], 'invalid'],
    ['created', ['valid', 'invalid'], 'invalid'],
    ['created', ['deactivated', 'valid'], 'invalid'],
    ['created', ['expired-recorded', 'valid'], 'invalid'],
    ['created', ['valid-past-expiry', 'valid'], 'invalid'],
    ['created', ['pending-past-expiry', 'pending'], 'invalid'],
    ['created', ['pending', 'invalid'], 'invalid'],
    ['finalizing', ['valid', 'valid'], 'processing'],
    // Once finalization was accepted the authorizations no longer decide.
    ['finalizing', ['valid-past-expiry', 'deactivated'], 'processing'],
    ['issued', ['valid', 'valid'], 'valid'],
    ['issued', ['valid-past-expiry', 'valid-past-expiry'], 'valid'],
    ['failed', ['valid', 'valid'], 'invalid'],
    ['expired-recorded', ['pending', 'pending'], 'invalid'],
  ] as const)('order %s, authorizations %j -> %s', (story, stories, expected) => {
    expect(orderStatus(orderOf(story), authzs(...stories), NOW)).toBe(expected);
  });

  test('an order past its expiry is invalid, whatever its authorizations, with the reason', () => {
    for (const stories of [['valid', 'valid'], ['pending', 'pending']] as const) {
      const derived = deriveOrderStatus(orderOf('created', -1), authzs(...stories), NOW);
      expect(derived).toEqual({ status: 'invalid', error: { type: 'urn:ietf:params:acme:error:malformed', detail: 'the order expired before it was finalized' } });
    }
  });

  test('an order being finalized or issued is not invalidated by its own expiry', () => {
    expect(orderStatus(orderOf('finalizing', -1), authzs('valid', 'valid'), NOW)).toBe('processing');
    expect(orderStatus(orderOf('issued', -1), authzs('valid', 'valid'), NOW)).toBe('valid');
  });

  test('at the very instant of `expires` the order is still usable', () => {
    expect(orderStatus(orderOf('created', 0), authzs('valid', 'valid'), NOW)).toBe('ready');
  });

  test('a missing authorization keeps the order pending, never ready', () => {
    expect(orderStatus(orderOf('created'), authzs('valid'), NOW)).toBe('pending');
    expect(orderStatus(orderOf('created'), [], NOW)).toBe('pending');
  });

  test("authorizations that are not the order's are not looked at", () => {
    const foreign = authzs('invalid')[0];
    expect(orderStatus(orderOf('created', undefined, ['authz-2']), [{ ...foreign, authzId: 'authz-9' }, ...authzs('valid', 'valid').slice(1)], NOW)).toBe('ready');
  });

  test('the error of an invalid order: the failed challenge, else what happened to the authorization, else its own', () => {
    expect(orderError(orderOf('created'), authzs('invalid', 'valid'), NOW)).toMatchObject({ type: 'urn:ietf:params:acme:error:incorrectResponse' });
    expect(orderError(orderOf('created'), authzs('deactivated', 'valid'), NOW)).toEqual({
      type: 'urn:ietf:params:acme:error:unauthorized',
      detail: 'authorization for example.com is deactivated',
    });
    expect(orderError(orderOf('created'), authzs('valid-past-expiry', 'valid'), NOW)?.detail).toMatch(/is expired/);
    expect(orderError(orderOf('failed'), authzs('valid', 'valid'), NOW)).toEqual(orderFailed().data.error);
  });

  test.each(['created', 'finalizing', 'issued'] as const)('a %s order that is not invalid has no error', (story) => {
    expect(orderError(orderOf(story), authzs('valid', 'valid'), NOW)).toBeNull();
  });
});
