-- The writer may name the time its events are recorded at ("at" beside each stream's events): it
-- then builds the read models that commit with the events before the append reaches the database,
-- and sends both in one round trip. Without "at" the events are recorded at the transaction's
-- start, as before. Everything else is es_append of 0014, unchanged.
CREATE OR REPLACE FUNCTION es_append(appends jsonb)
RETURNS TABLE (event_id uuid, stream_id text, stream_position bigint, xid text, seq text, event_type text,
               schema_version integer, data jsonb, metadata jsonb, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  a        jsonb;
  n        integer;
  expected text;
  v        bigint;
  actual   text;
BEGIN
  FOR a IN SELECT value FROM jsonb_array_elements(appends) LOOP
    n := jsonb_array_length(a->'events');
    expected := a->>'expected';
    v := NULL;
    IF expected = 'no_stream' OR expected = '-1' THEN
      INSERT INTO es_streams AS s (stream_id, version) VALUES (a->>'stream', n - 1)
        ON CONFLICT ON CONSTRAINT es_streams_pkey DO NOTHING RETURNING s.version INTO v;
    ELSIF expected = 'any' THEN
      INSERT INTO es_streams AS s (stream_id, version) VALUES (a->>'stream', n - 1)
        ON CONFLICT ON CONSTRAINT es_streams_pkey DO UPDATE SET version = s.version + n, updated_at = now()
        RETURNING s.version INTO v;
    ELSIF expected = 'stream_exists' THEN
      UPDATE es_streams s SET version = s.version + n, updated_at = now() WHERE s.stream_id = a->>'stream' RETURNING s.version INTO v;
    ELSE
      UPDATE es_streams s SET version = s.version + n, updated_at = now()
        WHERE s.stream_id = a->>'stream' AND s.version = expected::bigint RETURNING s.version INTO v;
    END IF;
    IF v IS NULL THEN
      SELECT coalesce((SELECT s.version::text FROM es_streams s WHERE s.stream_id = a->>'stream'), 'no_stream') INTO actual;
      RAISE EXCEPTION 'stream %: expected revision %, actual %', a->>'stream', expected, actual
        USING ERRCODE = 'CL409', DETAIL = actual;
    END IF;
    RETURN QUERY
      INSERT INTO es_events AS ev (event_id, stream_id, stream_position, event_type, schema_version, data, metadata, recorded_at)
      SELECT (e.value->>'id')::uuid, a->>'stream', v - n + e.ord, e.value->>'type', (e.value->>'version')::integer,
             e.value->'data', e.value->'meta', coalesce((a->>'at')::timestamptz, now())
      FROM jsonb_array_elements(a->'events') WITH ORDINALITY AS e(value, ord)
      RETURNING ev.event_id, ev.stream_id, ev.stream_position, ev.transaction_id::text, ev.global_position::text,
                ev.event_type, ev.schema_version, ev.data, ev.metadata, ev.recorded_at;
  END LOOP;
END $$;
