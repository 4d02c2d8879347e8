import { createHash } from 'node:crypto';
import { type EventStore, START_POSITION } from '../eventstore/event-store';

/**
 * Event history export as JSON Lines with a running SHA-256 chain: each line carries the previous
 * line's hash and its own (over the line without "hash"); a last line gives the count and the
 * final digest. `certledger events verify FILE` checks a file offline.
 */
export const EXPORT_GENESIS = createHash('sha256').update('certledger-export-v1').digest('hex');

export interface ExportRange {
  from?: Date;
  to?: Date;
}

/**
 * `chainDigests` (PostgreSQL store): the digest the database's hash chain holds for each event, by
 * global position, written into each line as `chain_digest` so an auditor can compare the export
 * with the database later (null: not chained yet).
 */
export async function* exportEvents(store: EventStore, range: ExportRange = {}, chainDigests?: (globalPositions: string[]) => Promise<Map<string, string>>): AsyncGenerator<string> {
  let prev = EXPORT_GENESIS;
  let seq = 0;
  let after = START_POSITION;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) break;
    after = page[page.length - 1].position;
    const digests = chainDigests ? await chainDigests(page.map((e) => e.position.split('/')[1])) : null;
    for (const e of page) {
      if ((range.from && e.recordedAt < range.from) || (range.to && e.recordedAt >= range.to)) continue;
      seq++;
      const body = {
        seq,
        position: e.position,
        event_id: e.eventId,
        stream_id: e.streamId,
        stream_position: e.streamPosition,
        type: e.type,
        schema_version: e.schemaVersion,
        recorded_at: e.recordedAt.toISOString(),
        data: e.data,
        metadata: e.metadata,
        ...(digests ? { chain_digest: digests.get(e.position.split('/')[1]) ?? null } : {}),
        prev,
      };
      const text = JSON.stringify(body);
      const hash = createHash('sha256').update(text).digest('hex');
      prev = hash;
      yield `${JSON.stringify({ ...body, hash })}\n`;
    }
  }
  yield `${JSON.stringify({ final: true, count: seq, digest: prev, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null })}\n`;
}

export interface ExportCheck {
  ok: boolean;
  count: number;
  digest?: string;
  error?: { line: number; reason: string };
}

/** Offline check of an export file's chain and final digest. */
export function verifyExport(text: string): ExportCheck {
  const lines = text.split('\n').filter((l) => l.length > 0);
  let prev = EXPORT_GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(lines[i]);
    } catch {
      return { ok: false, count: i, error: { line: n, reason: 'not valid JSON' } };
    }
    if (obj.final === true) {
      if (i !== lines.length - 1) return { ok: false, count: i, error: { line: n, reason: 'the final line is not the last one' } };
      if (obj.count !== i) return { ok: false, count: i, error: { line: n, reason: `the final line counts ${String(obj.count)} events, the file holds ${i}` } };
      if (obj.digest !== prev) return { ok: false, count: i, error: { line: n, reason: 'the final digest does not match the chain' } };
      return { ok: true, count: i, digest: prev };
    }
    const { hash, ...body } = obj;
    if (body.prev !== prev) return { ok: false, count: i, error: { line: n, reason: 'prev does not match the previous line (a line was removed or reordered)' } };
    if (body.seq !== n) return { ok: false, count: i, error: { line: n, reason: `seq ${String(body.seq)} where ${n} was expected` } };
    const computed = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    if (computed !== hash) return { ok: false, count: i, error: { line: n, reason: 'hash does not match the line (the line was changed)' } };
    prev = computed;
  }
  return { ok: false, count: lines.length, error: { line: lines.length + 1, reason: 'the final line is missing (the export was cut short)' } };
}
