-- The event history's hash chain: one row per event, in the global order readers use
-- (transaction_id, global_position), holding SHA-256(previous digest || canonical form of the
-- event). Rows are written once by a single chaining step (src/eventstore/postgres/event-chain.ts)
-- right after the events commit; the server's database role may only INSERT and SELECT here, as on
-- es_events, so it cannot rewrite a digest once written.
CREATE TABLE es_event_chain (
  global_position bigint PRIMARY KEY,
  transaction_id  xid8   NOT NULL,
  digest          text   NOT NULL,
  chained_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX es_event_chain_order ON es_event_chain (transaction_id, global_position);

CREATE FUNCTION es_event_chain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'es_event_chain is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER es_event_chain_no_update BEFORE UPDATE OR DELETE ON es_event_chain
  FOR EACH ROW EXECUTE FUNCTION es_event_chain_append_only();
CREATE TRIGGER es_event_chain_no_truncate BEFORE TRUNCATE ON es_event_chain
  FOR EACH STATEMENT EXECUTE FUNCTION es_event_chain_append_only();
