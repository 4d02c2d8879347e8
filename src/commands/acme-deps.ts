import type { Pool } from 'pg';
import type { CaBackend } from '../ca/ca-backend';
import type { EventMetadata } from '../eventstore/event-store';
import type { ProjectionRunner } from '../projection/projection-runner';
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
}

/** What command handlers share. Time and ids are injected so tests can drive them. */
export interface AcmeDeps {
  aggregates: AggregateStore;
  projections: ProjectionRunner;
  pool: Pool;
  ca: CaBackend;
  policy: AcmePolicy;
  now: () => Date;
  newId: () => string;
  newToken: () => string;
}

export const ACME_DEPS = Symbol('certledger.acme-deps');

/** Who asked, for every event's metadata. */
export interface RequestMeta extends EventMetadata {
  sourceIp?: string;
  requestId?: string;
}

/** Read-your-writes: the response goes out once every read model has seen the write. */
export async function settle(deps: AcmeDeps, position: string | null): Promise<void> {
  if (position) await deps.projections.waitFor(position, 10_000);
}
