import type { DomainEvent, EventDataByType } from './events';
import { event } from './events';

/** Maintenance mode as its stream tells it: the last change wins. */
export interface MaintenanceState {
  enabled: boolean;
  reason: string | null;
}

export function evolveMaintenance(_state: MaintenanceState | null, e: DomainEvent): MaintenanceState | null {
  const d = e.data as EventDataByType['MaintenanceModeChanged'];
  return { enabled: d.enabled, reason: d.reason };
}

/** A change is recorded only when it changes something. */
export function decideMaintenance(state: MaintenanceState | null, enabled: boolean, reason: string | null): DomainEvent[] {
  if ((state?.enabled ?? false) === enabled) return [];
  return [event('MaintenanceModeChanged', { enabled, reason })];
}
