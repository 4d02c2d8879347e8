import type { Pool } from 'pg';
import type { EventStore } from '../eventstore/event-store';

/** What the admin API and the console read beside their query services: the history and the pools. */
export interface AdminSources {
  readonly store: EventStore;
  readonly db: { readonly pool: Pool; readonly backgroundPool: Pool };
}

export const ADMIN_SOURCES = Symbol('certledger.admin-sources');
