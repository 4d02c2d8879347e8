import { getAt } from './convert';
import type { Problems } from './problems';

/**
 * Keys that configuration files once accepted and that no longer do anything. A file that still
 * sets one is refused with the reason, instead of "unknown key" or, worse, silence: the operator
 * chose something and must learn it is not what runs.
 */
export const REMOVED_KEYS: ReadonlyArray<{ key: string; reason: string }> = [
  {
    key: 'eventstore.backend',
    reason: 'removed — only PostgreSQL is supported until a KurrentDB adapter passes the event store contract suite against a real server; delete the key',
  },
  {
    key: 'eventstore.kurrentdb',
    reason: 'removed — there is no KurrentDB adapter (events are stored in PostgreSQL, database.url); delete the section',
  },
];

/** Reports each removed key the file sets and drops it, so the schema does not report it again. */
export function refuseRemovedKeys(data: Record<string, unknown>, problems: Problems): void {
  for (const { key, reason } of REMOVED_KEYS) {
    const dot = key.lastIndexOf('.');
    const parent = dot < 0 ? data : getAt(data, key.slice(0, dot));
    const name = key.slice(dot + 1);
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent) || !(name in parent)) continue;
    problems.add(key, reason);
    delete (parent as Record<string, unknown>)[name];
  }
}
