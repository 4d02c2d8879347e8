/**
 * The event catalog: every event type the product writes, by a stable name (never a class name,
 * which minification would change), with its schema version, the kind of stream it belongs to
 * and the shape of its data. Events are past-tense facts carrying what an auditor needs, and
 * never get rewritten: a changed shape is a new schema version, read through an upcaster.
 * A type missing here is an error wherever events are read.
 */
import type { Identifier } from '../errors';
import type { CaaCheckData, ChallengeData, ChallengeType, JwkPublic, ProblemData, RevokedBy } from './types';

export interface EventDataByType {
  // account-<id>
  AccountRegistered: {
    accountId: string;
    jwk: JwkPublic;
    /** RFC 7638 thumbprint of `jwk`, the name of the key's reservation stream. */
    thumbprint: string;
    contact: string[];
    termsOfServiceAgreed: boolean;
    /** The External Account Binding key the account was bound with, if any. */
    eabKeyId: string | null;
  };
  AccountContactUpdated: { contact: string[] };
  /** `jwk` is the new key. */
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
    /** v2: the certificate profile chosen (the order's `profile`, else the default); absent without profiles. */
    profile?: string;
    /** v2: the certificate this order renews (RFC 9773 `replaces`): its id, and its certID as the client gave it. */
    replaces?: { certificateId: string; certId: string };
  };
  /** `csr` is the base64url DER the client sent; names and key type as the CA will sign them. */
  OrderFinalizationRequested: { csr: string; names: string[]; keyType: string };
  OrderCertificateIssued: { certificateId: string; serial: string };
  /** Finalization failed (CA refusal, stuck issuance): the order is invalid with this error. */
  OrderFailed: { error: ProblemData };
  /** The order passed its expiry unfinished: it is invalid. */
  OrderExpired: { expires: string };

  // authz-<id>
  AuthorizationCreated: {
    authzId: string;
    accountId: string;
    /** The name to prove control of: a wildcard's base domain, `wildcard` telling which it was. */
    identifier: Identifier;
    wildcard: boolean;
    expires: string;
    challenges: ChallengeData[];
    /** Created through newAuthz (RFC 8555 §7.4.1) rather than by an order. */
    preAuthorization: boolean;
  };
  ChallengeValidationRequested: { challengeId: string; type: ChallengeType; keyAuthorization: string };
  /** `record` is what the validator checked and observed; `expires` the new expiry of the authorization. */
  ChallengeValidated: { challengeId: string; record: Record<string, unknown>; expires: string; caa?: CaaCheckData };
  /** v2 (both): `caa`, the CAA check made after the challenge passed (absent in v1 and for skipped checks). */
  ChallengeFailed: { challengeId: string; error: ProblemData; record: Record<string, unknown>; caa?: CaaCheckData };
  /** The CAA check repeated before issuance because the last one was too old (BR 3.2.2.8); refused or not. */
  AuthorizationCaaRechecked: { caa: CaaCheckData };
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
    /** v2: the profile the certificate was issued under; absent without profiles. */
    profile?: string;
  };
  /**
   * v2: `blockedKeySpkiSha256` (hex SHA-256 of the SubjectPublicKeyInfo) when the revocation proved
   * a key compromise and the key is blocked for future CSRs and accounts; absent in v1 events.
   */
  CertificateRevoked: { serial: string; reason: number; by: RevokedBy; actor: string | null; blockedKeySpkiSha256?: string };
  /**
   * An admin asked for early renewal (incident response): ARI's suggested window for this
   * certificate is `window`, already in the past, from now on.
   */
  CertificateRenewalRequested: { reason: string; actor: string; window: { start: string; end: string } };
  /** One per certificate and threshold, cluster-wide. */
  ExpirationWarningSent: { thresholdDays: number; notAfter: string; contacts: string[]; names: string[] };

  // eab-<keyId>: External Account Binding keys (the HMAC itself never enters the history)
  EabKeyCreated: { keyId: string; allowedIdentifiers: string[]; note: string | null };
  EabKeyRevoked: { keyId: string; reason: string | null };
  EabKeyBound: { keyId: string; accountId: string };

  // system-maintenance: the fleet-wide switch that pauses new orders and authorizations
  MaintenanceModeChanged: { enabled: boolean; reason: string | null };

  // ratelimit-<limit>~<subject>: an admin's override of one rate limit for one subject
  /** `count` 0 exempts the subject; `periodMs` null keeps the configured period. */
  RateLimitOverrideSet: { limit: string; subject: string; count: number; periodMs: number | null; reason: string | null };
  RateLimitOverrideRemoved: { limit: string; subject: string };
}

export type EventType = keyof EventDataByType;

/** Kinds of stream, named by the prefix of their stream names (see ../streams.ts). */
export type StreamCategory = 'account' | 'account-key' | 'order' | 'authz' | 'cert' | 'eab' | 'system-maintenance' | 'ratelimit';

interface CatalogEntry {
  readonly schemaVersion: number;
  readonly stream: StreamCategory;
}

export const EVENT_CATALOG = {
  AccountRegistered: { schemaVersion: 1, stream: 'account' },
  AccountContactUpdated: { schemaVersion: 1, stream: 'account' },
  AccountKeyChanged: { schemaVersion: 1, stream: 'account' },
  AccountDeactivated: { schemaVersion: 1, stream: 'account' },
  AccountKeyReserved: { schemaVersion: 1, stream: 'account-key' },
  AccountKeyReleased: { schemaVersion: 1, stream: 'account-key' },
  OrderCreated: { schemaVersion: 2, stream: 'order' },
  OrderFinalizationRequested: { schemaVersion: 1, stream: 'order' },
  OrderCertificateIssued: { schemaVersion: 1, stream: 'order' },
  OrderFailed: { schemaVersion: 1, stream: 'order' },
  OrderExpired: { schemaVersion: 1, stream: 'order' },
  AuthorizationCreated: { schemaVersion: 1, stream: 'authz' },
  ChallengeValidationRequested: { schemaVersion: 1, stream: 'authz' },
  ChallengeValidated: { schemaVersion: 2, stream: 'authz' },
  ChallengeFailed: { schemaVersion: 2, stream: 'authz' },
  AuthorizationCaaRechecked: { schemaVersion: 1, stream: 'authz' },
  AuthorizationDeactivated: { schemaVersion: 1, stream: 'authz' },
  AuthorizationExpired: { schemaVersion: 1, stream: 'authz' },
  CertificateIssued: { schemaVersion: 2, stream: 'cert' },
  CertificateRevoked: { schemaVersion: 2, stream: 'cert' },
  ExpirationWarningSent: { schemaVersion: 1, stream: 'cert' },
  CertificateRenewalRequested: { schemaVersion: 1, stream: 'cert' },
  EabKeyCreated: { schemaVersion: 1, stream: 'eab' },
  EabKeyRevoked: { schemaVersion: 1, stream: 'eab' },
  EabKeyBound: { schemaVersion: 1, stream: 'eab' },
  MaintenanceModeChanged: { schemaVersion: 1, stream: 'system-maintenance' },
  RateLimitOverrideSet: { schemaVersion: 1, stream: 'ratelimit' },
  RateLimitOverrideRemoved: { schemaVersion: 1, stream: 'ratelimit' },
} as const satisfies { readonly [K in EventType]: CatalogEntry };

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

export const EVENT_SCHEMA_VERSIONS = Object.fromEntries(EVENT_TYPES.map((t) => [t, EVENT_CATALOG[t].schemaVersion])) as Record<EventType, number>;

/** A domain event as deciders produce and evolvers consume it. Metadata belongs to the event store. */
export type EventOf<K extends EventType> = { type: K; data: EventDataByType[K] };
export type DomainEvent = { [K in EventType]: EventOf<K> }[EventType];

/** The event types written to one kind of stream. */
export type EventTypeOf<C extends StreamCategory> = {
  [K in EventType]: (typeof EVENT_CATALOG)[K]['stream'] extends C ? K : never;
}[EventType];
export type StreamEvent<C extends StreamCategory> = { [K in EventTypeOf<C>]: EventOf<K> }[EventTypeOf<C>];

export class UnknownEventTypeError extends Error {
  constructor(readonly eventType: string) {
    super(`unknown event type '${eventType}': not in the event catalog`);
    this.name = 'UnknownEventTypeError';
  }
}

/** An event written by a newer release than this one: reading on would misread it. */
export class UnsupportedSchemaVersionError extends Error {
  constructor(readonly eventType: string, readonly schemaVersion: number) {
    super(`event type '${eventType}' schema version ${schemaVersion} is newer than this release knows (${EVENT_SCHEMA_VERSIONS[eventType as EventType]})`);
    this.name = 'UnsupportedSchemaVersionError';
  }
}

/** A stream that breaks its aggregate's rules (an event of another aggregate, or before creation). */
export class StreamIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamIntegrityError';
  }
}

export function isKnownEvent(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOG, type);
}

/** Throws unless `type` is catalogued (and, when given, its schema version is one this release reads). */
export function assertKnownEvent(type: string, schemaVersion?: number): asserts type is EventType {
  if (!isKnownEvent(type)) throw new UnknownEventTypeError(type);
  if (schemaVersion !== undefined && schemaVersion > EVENT_CATALOG[type].schemaVersion) {
    throw new UnsupportedSchemaVersionError(type, schemaVersion);
  }
}

export function streamCategoryOf(type: EventType): StreamCategory {
  return EVENT_CATALOG[type].stream;
}

/** Checks that an event read from a stream of `category` belongs there; evolvers call it first. */
export function assertStreamEvent<C extends StreamCategory>(category: C, e: { type: string }): asserts e is StreamEvent<C> {
  assertKnownEvent(e.type);
  const actual = EVENT_CATALOG[e.type].stream;
  if (actual !== category) {
    throw new StreamIntegrityError(`event '${e.type}' belongs to ${actual} streams, not to a ${category} stream`);
  }
}

/** Throws when an aggregate's stream holds an event before the event that creates the aggregate. */
export function requireCreated<S>(state: S | null, e: { type: string }): S {
  if (state === null) throw new StreamIntegrityError(`event '${e.type}' precedes the creation of its aggregate`);
  return state;
}

export function event<K extends EventType>(type: K, data: EventDataByType[K]): EventOf<K> {
  return { type, data };
}
