import { types } from 'pg';
import type { StoredEvent, StreamLink, StreamsRead } from '../event-store';
import { formatPosition } from './position';

// One jsonb object per event: the read is a single value, so it fits inside another statement.
// recorded_at travels as text and is parsed by pg's own timestamptz parser, as a column would be.
const EVENT_JSON = `jsonb_build_object('event_id', event_id, 'stream_id', stream_id, 'stream_position', stream_position,
  'xid', transaction_id::text, 'seq', global_position::text, 'event_type', event_type, 'schema_version', schema_version,
  'data', data, 'metadata', metadata, 'recorded_at', recorded_at::text)`;

const parseTimestamptz = types.getTypeParser(1184, 'text') as (text: string) => Date;

/**
 * The events of `streamIds` (and with `linked`, of the streams their `linked.eventType` events
 * name) as one jsonb array, ordered by stream and position. The linked ids come out of the named
 * streams' own rows, so one statement reads both.
 */
export function streamsRead(streamIds: string[], linked?: StreamLink): StreamsRead {
  return {
    params: linked ? [streamIds, linked.eventType, linked.field, linked.prefix] : [streamIds],
    sql: (first) => {
      const ids = `$${first}::text[]`;
      const rows = linked
        ? `WITH named AS (SELECT * FROM es_events WHERE stream_id = ANY(${ids})),
             links AS (SELECT DISTINCT $${first + 3}::text || jsonb_array_elements_text(data -> $${first + 2}::text) AS id FROM named
                       WHERE event_type = $${first + 1}::text AND jsonb_typeof(data -> $${first + 2}::text) = 'array'),
             read AS (SELECT * FROM named
                      UNION ALL
                      SELECT * FROM es_events WHERE stream_id IN (SELECT id FROM links) AND stream_id <> ALL(${ids}))`
        : `WITH read AS (SELECT * FROM es_events WHERE stream_id = ANY(${ids}))`;
      return `(${rows} SELECT coalesce(jsonb_agg(${EVENT_JSON} ORDER BY stream_id, stream_position), '[]'::jsonb) FROM read)`;
    },
    parse: (value) => {
      const byStream = new Map<string, StoredEvent[]>(streamIds.map((id) => [id, []]));
      for (const r of value as Array<Record<string, any>>) {
        const e = storedEvent(r);
        const list = byStream.get(e.streamId);
        if (list) list.push(e);
        else byStream.set(e.streamId, [e]);
      }
      return byStream;
    },
  };
}

/** An es_events row as a StoredEvent, from a query result (recorded_at a Date) or from jsonb (recorded_at text). */
export function storedEvent(r: Record<string, any>): StoredEvent {
  return {
    eventId: r.event_id,
    streamId: r.stream_id,
    streamPosition: Number(r.stream_position),
    position: formatPosition(r.xid, r.seq),
    type: r.event_type,
    schemaVersion: r.schema_version,
    data: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at instanceof Date ? r.recorded_at : parseTimestamptz(r.recorded_at),
  };
}
