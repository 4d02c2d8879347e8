import { AcmeError } from '../domain/errors';
import type { EventDataByType } from '../domain/events';
import { decideMaintenance, evolveMaintenance } from '../domain/maintenance';
import { handleCommand } from './handle-command';
import { streams } from '../domain/streams';
import type { AggregateStore } from './aggregate-store';

/**
 * Maintenance mode, shared by every instance through its own event stream: while on, new orders
 * and new authorizations are refused with 503 and Retry-After before any nonce is consumed;
 * everything else (finalize, downloads, revocation) keeps working.
 */
export const MAINTENANCE_RETRY_AFTER_S = 60;
/**
 * How long an instance answers new orders from the maintenance state it read last. The switch is
 * an admin's rare act and reaches every instance within this time; reading it on every new order
 * cost each one a database round trip. The instance that switches knows at once.
 */
export const MAINTENANCE_STATE_MAX_AGE_MS = 1000;
export const MAINTENANCE = Symbol('certledger.maintenance');

export interface MaintenanceState {
  enabled: boolean;
  reason: string | null;
  since: string | null;
  by: string | null;
}

export class MaintenanceMode {
  private last: { readAt: number; state: MaintenanceState } | null = null;

  constructor(
    private readonly aggregates: AggregateStore,
    private readonly now: () => number = Date.now,
  ) {}

  async state(): Promise<{ state: MaintenanceState; revision: number }> {
    const readAt = this.now();
    const events = await this.aggregates.store.readStream(streams.maintenance());
    const last = events[events.length - 1];
    const d = last?.data as EventDataByType['MaintenanceModeChanged'] | undefined;
    const state: MaintenanceState = last && d
      ? { enabled: d.enabled, reason: d.reason, since: last.recordedAt.toISOString(), by: String(last.metadata.actor ?? '') || null }
      : { enabled: false, reason: null, since: null, by: null };
    this.last = { readAt, state };
    return { state, revision: events.length - 1 };
  }

  async set(enabled: boolean, reason: string | null, actor: string, meta: Record<string, unknown>): Promise<MaintenanceState> {
    await handleCommand(this.aggregates, {
      streamId: streams.maintenance(),
      evolve: evolveMaintenance,
      metadata: { ...meta, actor },
      decide: (state) => decideMaintenance(state, enabled, reason),
    });
    return (await this.state()).state;
  }

  async assertOpen(): Promise<void> {
    const fresh = this.last && this.now() - this.last.readAt < MAINTENANCE_STATE_MAX_AGE_MS;
    const state = fresh ? this.last!.state : (await this.state()).state;
    if (state.enabled) {
      throw new AcmeError('serverInternal', `the CA is in maintenance${state.reason ? `: ${state.reason}` : ''}; new orders resume later`, [], {
        reason: { kind: 'unavailable', retryAfterMs: MAINTENANCE_RETRY_AFTER_S * 1000 },
      });
    }
  }
}
