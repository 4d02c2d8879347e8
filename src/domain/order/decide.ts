import type { AuthorizationState } from '../authorization/state';
import { addMs, type DecideContext, isPast } from '../decider';
import { AcmeError, type Identifier } from '../errors';
import { type DomainEvent, event, type ProblemData } from '../events';
import { checkProfileIdentifiers, chooseProfile, type ProfilePolicy } from '../policy/profiles';
import { checkReplacement, type ReplacedCertificate } from '../policy/renewal-info';
import type { OrderState } from './state';
import { orderStatus, type OrderStatus } from './status';

export interface OrderPolicy {
  orderLifetimeMs: number;
  /** The longest certificate validity a client may ask for through notBefore/notAfter. */
  maxValidityMs: number;
  /** Certificate profiles offered; none when absent. */
  profiles?: ProfilePolicy;
}

export interface OrderContext extends DecideContext {
  policy: OrderPolicy;
  /** The order's authorizations as loaded from their streams (status is derived from them). */
  authorizations: readonly AuthorizationState[];
}

export interface CheckedCsr {
  /** base64url DER, as the client sent it. */
  der: string;
  names: string[];
  keyType: string;
}

export type OrderCommand =
  | {
      type: 'CreateOrder';
      orderId: string;
      accountId: string;
      /** Already normalized (../identifiers.ts); one authorization id per identifier, in order. */
      identifiers: Identifier[];
      authorizationIds: string[];
      notBefore?: unknown;
      notAfter?: unknown;
      /** The order's `profile` field as the client sent it. */
      profile?: unknown;
      /** The certificate named by the order's `replaces` (RFC 9773), as loaded by the caller. */
      replaces?: ReplacedCertificate | null;
    }
  | { type: 'RequestFinalization'; csr: CheckedCsr }
  | { type: 'RecordIssuance'; certificateId: string; serial: string }
  | { type: 'FailFinalization'; error: ProblemData }
  | { type: 'ExpireOrder' }
  | { type: 'FailStuckOrder'; stuckForMs: number };

export function decideOrder(state: OrderState | null, command: OrderCommand, ctx: OrderContext): DomainEvent[] {
  if (command.type === 'CreateOrder') {
    if (state) throw new AcmeError('malformed', `order ${state.orderId} already exists`, [], { reason: { kind: 'conflict' } });
    return decideCreateOrder(command, ctx);
  }
  if (!state) throw new AcmeError('malformed', 'no such order', [], { reason: { kind: 'notFound' } });
  const status = orderStatus(state, ctx.authorizations, ctx.now);
  switch (command.type) {
    case 'RequestFinalization':
      return decideFinalize(state, status, command.csr);
    case 'RecordIssuance':
      return decideRecordIssuance(state, command.certificateId, command.serial);
    case 'FailFinalization':
      return status === 'processing' ? [event('OrderFailed', { error: command.error })] : [];
    case 'ExpireOrder':
      return decideExpireOrder(state, status, ctx.now);
    case 'FailStuckOrder':
      return decideFailStuckOrder(state, command.stuckForMs);
  }
}

/** newOrder (RFC 8555 §7.4): the requested validity is checked against the policy. */
export function decideCreateOrder(cmd: Extract<OrderCommand, { type: 'CreateOrder' }>, ctx: DecideContext & { policy: OrderPolicy }): DomainEvent[] {
  if (cmd.identifiers.length === 0) throw new AcmeError('malformed', 'an order needs at least one identifier');
  if (cmd.authorizationIds.length !== cmd.identifiers.length) {
    throw new AcmeError('serverInternal', `order has ${cmd.identifiers.length} identifiers but ${cmd.authorizationIds.length} authorizations`);
  }
  const notBefore = parseDate(cmd.notBefore, 'notBefore');
  const notAfter = parseDate(cmd.notAfter, 'notAfter');
  if (notBefore && notAfter && notAfter <= notBefore) throw new AcmeError('malformed', 'notAfter must be later than notBefore');
  if (notAfter && notAfter.getTime() - (notBefore ?? ctx.now).getTime() > ctx.policy.maxValidityMs) {
    throw new AcmeError('malformed', `the requested validity exceeds the maximum of ${Math.round(ctx.policy.maxValidityMs / 86_400_000)} days`);
  }
  if (notAfter && notAfter <= ctx.now) throw new AcmeError('malformed', 'notAfter is in the past');
  const profile = chooseProfile(cmd.profile, ctx.policy.profiles);
  checkProfileIdentifiers(profile, cmd.identifiers);
  if (cmd.replaces) checkReplacement(cmd.replaces, cmd.accountId, cmd.identifiers);
  return [
    event('OrderCreated', {
      orderId: cmd.orderId,
      accountId: cmd.accountId,
      identifiers: cmd.identifiers,
      authorizationIds: cmd.authorizationIds,
      notBefore: notBefore?.toISOString() ?? null,
      notAfter: notAfter?.toISOString() ?? null,
      expires: addMs(ctx.now, ctx.policy.orderLifetimeMs),
      ...(profile ? { profile: profile.name } : {}),
      ...(cmd.replaces ? { replaces: { certificateId: cmd.replaces.certificateId, certId: cmd.replaces.certId } } : {}),
    }),
  ];
}

function parseDate(value: unknown, name: string): Date | null {
  if (value === undefined || value === null) return null;
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AcmeError('malformed', `${name} must be an RFC 3339 date`);
  return d;
}

/** finalize (RFC 8555 §7.4): only a ready order; the CSR has been checked by the caller. */
export function decideFinalize(order: OrderState, status: OrderStatus, csr: CheckedCsr): DomainEvent[] {
  if (status !== 'ready') {
    throw new AcmeError('orderNotReady', `the order is ${status}; it can be finalized only when ready`, [], { extra: { orderStatus: status } });
  }
  return [event('OrderFinalizationRequested', { csr: csr.der, names: csr.names, keyType: csr.keyType })];
}

/** The CA's certificate, recorded once, and only for an order that asked for it. */
export function decideRecordIssuance(order: OrderState, certificateId: string, serial: string): DomainEvent[] {
  if (order.certificateId === certificateId) return [];
  if (!order.finalization || order.certificateId || order.error) {
    throw new AcmeError('serverInternal', `order ${order.orderId} is not awaiting a certificate`);
  }
  return [event('OrderCertificateIssued', { certificateId, serial })];
}

/** Cleanup records that an unfinished order passed its expiry. */
export function decideExpireOrder(order: OrderState, status: OrderStatus, now: Date): DomainEvent[] {
  if (order.error || order.finalization || order.certificateId || !isPast(order.expires, now)) return [];
  if (status === 'valid' || status === 'processing') return [];
  return [event('OrderExpired', { expires: order.expires })];
}

/** Cleanup fails an order whose issuance never completed, so the client stops waiting. */
export function decideFailStuckOrder(order: OrderState, stuckForMs: number): DomainEvent[] {
  if (!order.finalization || order.certificateId || order.error) return [];
  return [
    event('OrderFailed', {
      error: { type: 'urn:ietf:params:acme:error:serverInternal', detail: `issuance did not complete within ${Math.round(stuckForMs / 60_000)} minutes; submit a new order` },
    }),
  ];
}
