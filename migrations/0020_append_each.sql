-- Group commit: several independent appends (each what es_append takes) in one transaction, each
-- all or nothing on its own. Every group runs in its own subtransaction (the BEGIN … EXCEPTION
-- block), so a revision conflict rolls back that group alone and the others still commit with the
-- one COMMIT. Any other error is raised and aborts the whole call: the caller then runs the
-- appends apart, so the one at fault gets its own error (docs/adr/0019-group-commit.md).
--
-- Rows come back tagged with the index of their group (grp, from 0). A group that lost its race
-- returns one row instead: its grp, the stream in conflict in stream_id, its actual revision
-- ('no_stream' when absent) in conflict and every event column NULL.
CREATE FUNCTION es_append_each(groups jsonb)
RETURNS TABLE (grp integer, event_id uuid, stream_id text, stream_position bigint, xid text, seq text, event_type text,
               schema_version integer, data jsonb, metadata jsonb, recorded_at timestamptz, conflict text)
LANGUAGE plpgsql AS $$
DECLARE
  g          jsonb;
  i          integer := 0;
  msg        text;
  actual     text;
  con        text;
  stream     text;
BEGIN
  FOR g IN SELECT value FROM jsonb_array_elements(groups) LOOP
    BEGIN
      -- es_append, a PL/pgSQL function, hands back its rows only once it has run to the end: a
      -- group that fails on its second stream, after its first stream's events were inserted,
      -- adds no row to the result.
      RETURN QUERY SELECT i, r.*, NULL::text FROM es_append(g) AS r;
    EXCEPTION
      WHEN SQLSTATE 'CL409' THEN
        GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, actual = PG_EXCEPTION_DETAIL;
        stream := substring(msg FROM '^stream (.*): expected revision');
        RETURN QUERY SELECT i, NULL::uuid, stream, NULL::bigint, NULL::text, NULL::text, NULL::text,
                            NULL::integer, NULL::jsonb, NULL::jsonb, NULL::timestamptz, actual;
      WHEN unique_violation THEN
        -- The (stream, position) key is the backstop for a writer the streams row did not stop;
        -- any other duplicate (an event id used twice) is the caller's error, not a race.
        GET STACKED DIAGNOSTICS con = CONSTRAINT_NAME;
        IF con IS DISTINCT FROM 'es_events_pkey' THEN
          RAISE;
        END IF;
        stream := g->0->>'stream';
        RETURN QUERY SELECT i, NULL::uuid, stream, NULL::bigint, NULL::text, NULL::text, NULL::text,
                            NULL::integer, NULL::jsonb, NULL::jsonb, NULL::timestamptz,
                            coalesce((SELECT s.version::text FROM es_streams s WHERE s.stream_id = stream), 'no_stream');
    END;
    i := i + 1;
  END LOOP;
END $$;
