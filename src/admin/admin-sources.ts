import type { DbPool } from '../db/db';
import type { PoolView } from '../ops/node-status';
import type { EventStore } from '../eventstore/event-store';

/** What the admin API and the console read beside their query services: the history and the pools. */
export interface AdminSources {
  readonly store: EventStore;
  readonly db: { readonly pool: DbPool & PoolView; readonly backgroundPool: DbPool & PoolView };
}

export const ADMIN_SOURCES = Symbol('certledger.admin-sources');
