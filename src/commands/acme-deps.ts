import type { CaBackend } from '../ca/ca-backend';
import type { ProfilePolicy } from '../domain/policy/profiles';
import type { AuthorizationState, ValidationOutcome } from '../domain/authorization';
import type { CaaChecker } from '../validation/caa';
import type { EventMetadata } from '../eventstore/event-store';
import type { JobQueue } from '../jobs/job-queue';
import type { RateLimiter } from '../ratelimit/rate-limiter';
import type { Db } from '../db/db';
import type { AggregateStore } from './aggregate-store';

/** ACME policy from configuration (durations in ms). */
export interface AcmePolicy {
  orderLifetimeMs: number;
  authorizationLifetimeMs: number;
  pendingAuthorizationLifetimeMs: number;
  authorizationReuseMs: number;
  maxIdentifiers: number;
  maxValidityMs: number;
  termsOfServiceRequired: boolean;
  eabRequired: boolean;
  ordersPageSize: number;
  /** Age after which the CAA check of an authorization is repeated before issuance (BR 3.2.2.8). */
  caaRecheckAfterMs?: number;
  /** IP address identifiers (RFC 8738) may be ordered (acme.ip_identifiers). */
  ipIdentifiers?: boolean;
  /** Certificate profiles (acme.profiles); none when absent. */
  profiles?: ProfilePolicy;
}

/**
 * Work that follows a request, done at once by the instance that took it. The job row committed
 * with the request's events (id = the requesting event's id) is the safety net: it becomes due
 * only if this instance dies before the work is recorded.
 */
export interface ImmediateWork {
  /**
   * Starts a requested validation now, without waiting for it; `known` is the authorization as
   * the request's append left it, so the validation need not read it again.
   */
  validate(authzId: string, challengeId: string, jobId: string, known?: { state: AuthorizationState | null; revision: number }, started?: Promise<ValidationOutcome>): void;
  /**
   * Validation within the challenge's request: `start` validates a challenge whose validation
   * the request is about to record (`authz` as it will then be), and the request waits up to
   * `waitMs` for it. An outcome in time is recorded with the request, in one append and with no
   * safety-net job; a later one goes to `validate`. Absent: validation always follows the request.
   */
  inline?: { waitMs: number; start(authz: AuthorizationState, challengeId: string): Promise<ValidationOutcome> };
}

/** What command handlers share. Time and ids are injected so tests can drive them. */
export interface AcmeDeps {
  aggregates: AggregateStore;
  /** The read models' database: command handlers read them through projections/<name>/queries. */
  db: Db;
  ca: CaBackend;
  policy: AcmePolicy;
  now: () => Date;
  newId: () => string;
  newToken: () => string;
  work: ImmediateWork;
  /** Removes a safety-net job in the transaction that records its work. */
  jobs: Pick<JobQueue, 'dropIn'>;
  /** Rate limits shared by the fleet (absent in tests that do not exercise them). */
  limits?: RateLimiter;
  /** The CA's contact policy (allowed mail domains, MX check); absent: any valid mailto. */
  checkContacts?: (contact: unknown) => Promise<void>;
  /** CAA checking (RFC 8659); absent when validation.caa is off. */
  caa?: CaaChecker | null;
}

export const ACME_DEPS = Symbol('certledger.acme-deps');

/** Who asked, for every event's metadata. */
export interface RequestMeta extends EventMetadata {
  sourceIp?: string;
  requestId?: string;
}

/** What the authorization decider may look at: the clock, new ids and tokens, the lifetimes. */
export function authorizationContext(deps: AcmeDeps) {
  return {
    now: deps.now(),
    newId: deps.newId,
    newToken: deps.newToken,
    policy: { pendingAuthorizationLifetimeMs: deps.policy.pendingAuthorizationLifetimeMs, validAuthorizationLifetimeMs: deps.policy.authorizationLifetimeMs },
  };
}
