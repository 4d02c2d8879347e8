/**
 * The event catalog: every event type the product writes, by a stable name (never a class name),
 * with its schema version and data shape. Events are past-tense facts carrying what an auditor
 * needs. An event type missing here is an error wherever events are read.
 */
import type { Identifier } from './errors';

export interface JwkPublic {
  kty: string;
  [member: string]: unknown;
}

export interface ProblemData {
  type: string;
  detail: string;
  status?: number;
  subproblems?: unknown[];
}

export type ChallengeType = 'http-01' | 'dns-01' | 'tls-alpn-01';

export interface ChallengeData {
  challengeId: string;
  type: ChallengeType;
  token: string;
}

export interface EventDataByType {
  // account-<id>
  AccountRegistered: {
    accountId: string;
    jwk: JwkPublic;
    thumbprint: string;
    contact: string[];
    termsOfServiceAgreed: boolean;
    eabKeyId: string | null;
  };
  AccountContactUpdated: { contact: string[] };
  AccountKeyChanged: { oldThumbprint: string; newThumbprint: string; jwk: JwkPublic };
  AccountDeactivated: { by: 'account' | 'admin'; reason: string | null };
  // account-key-<thumbprint>: one account per key
  AccountKeyReserved: { accountId: string; thumbprint: string };
  AccountKeyReleased: { accountId: string; thumbprint: string };
  // order-<id>
  OrderCreated: {
    orderId: string;
    accountId: string;
    identifiers: Identifier[];
    authorizationIds: string[];
    notBefore: string | null;
    notAfter: string | null;
    expires: string;
  };
  OrderFinalizationRequested: { csr: string; names: string[]; keyType: string };
  OrderCertificateIssued: { certificateId: string; serial: string };
  OrderFailed: { error: ProblemData };
  OrderExpired: { expires: string };
  // authz-<id>
  AuthorizationCreated: {
    authzId: string;
    accountId: string;
    identifier: Identifier;
    wildcard: boolean;
    expires: string;
    challenges: ChallengeData[];
    preAuthorization: boolean;
  };
  ChallengeValidationRequested: { challengeId: string; type: ChallengeType; keyAuthorization: string };
  ChallengeValidated: { challengeId: string; record: Record<string, unknown>; expires: string };
  ChallengeFailed: { challengeId: string; error: ProblemData; record: Record<string, unknown> };
  AuthorizationDeactivated: { by: 'account' | 'admin' };
  AuthorizationExpired: { expires: string };
  // cert-<id>
  CertificateIssued: {
    certificateId: string;
    orderId: string;
    accountId: string;
    serial: string;
    names: string[];
    notBefore: string;
    notAfter: string;
    chainPem: string;
    fingerprintSha256: string;
    keyType: string;
    issuer: string;
  };
  CertificateRevoked: { serial: string; reason: number; by: 'account' | 'authorized-account' | 'certificate-key' | 'admin'; actor: string | null };
  // eab-<keyId>: External Account Binding keys (the HMAC itself never enters the history)
  EabKeyCreated: { keyId: string; allowedIdentifiers: string[]; note: string | null };
  EabKeyRevoked: { keyId: string; reason: string | null };
  EabKeyBound: { keyId: string; accountId: string };
  // system-maintenance: the fleet-wide switch that pauses new orders and authorizations
  MaintenanceModeChanged: { enabled: boolean; reason: string | null };
  // cert-<id>: one per certificate and threshold, cluster-wide
  ExpirationWarningSent: { thresholdDays: number; notAfter: string; contacts: string[]; names: string[] };
}

export type EventType = keyof EventDataByType;

export const EVENT_SCHEMA_VERSIONS: Record<EventType, number> = {
  AccountRegistered: 1,
  AccountContactUpdated: 1,
  AccountKeyChanged: 1,
  AccountDeactivated: 1,
  AccountKeyReserved: 1,
  AccountKeyReleased: 1,
  OrderCreated: 1,
  OrderFinalizationRequested: 1,
  OrderCertificateIssued: 1,
  OrderFailed: 1,
  AuthorizationCreated: 1,
  ChallengeValidationRequested: 1,
  ChallengeValidated: 1,
  ChallengeFailed: 1,
  AuthorizationDeactivated: 1,
  AuthorizationExpired: 1,
  OrderExpired: 1,
  CertificateIssued: 1,
  CertificateRevoked: 1,
  ExpirationWarningSent: 1,
  MaintenanceModeChanged: 1,
  EabKeyCreated: 1,
  EabKeyRevoked: 1,
  EabKeyBound: 1,
};

export const EVENT_TYPES = Object.keys(EVENT_SCHEMA_VERSIONS) as EventType[];

/** A domain event as deciders produce and evolvers consume it. */
export type DomainEvent = { [K in EventType]: { type: K; data: EventDataByType[K] } }[EventType];

export class UnknownEventTypeError extends Error {
  constructor(type: string) {
    super(`unknown event type '${type}': not in the event catalog`);
    this.name = 'UnknownEventTypeError';
  }
}

export function assertKnownEvent(type: string): asserts type is EventType {
  if (!(type in EVENT_SCHEMA_VERSIONS)) throw new UnknownEventTypeError(type);
}

export function event<K extends EventType>(type: K, data: EventDataByType[K]): DomainEvent {
  return { type, data } as DomainEvent;
}
