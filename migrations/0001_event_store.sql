-- Event store: one row per stream (the optimistic-concurrency guard) and one row per event.
-- Global order is (transaction_id, global_position): readers only take rows whose transaction
-- id is below the oldest transaction still running (pg_snapshot_xmin), so an event committed
-- late by a slow writer can never be skipped by a subscriber that already moved past its
-- sequence value. See docs/adr/0001-event-store-ordering.md.
CREATE TABLE es_streams (
  stream_id   text PRIMARY KEY,
  version     bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE es_global_position;

CREATE TABLE es_events (
  global_position bigint NOT NULL DEFAULT nextval('es_global_position'),
  transaction_id  xid8   NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text   NOT NULL,
  stream_position bigint NOT NULL,
  event_id        uuid   NOT NULL UNIQUE,
  event_type      text   NOT NULL,
  schema_version  integer NOT NULL DEFAULT 1,
  data            jsonb  NOT NULL,
  metadata        jsonb  NOT NULL DEFAULT '{}'::jsonb,
  recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (stream_id, stream_position)
);

CREATE INDEX es_events_feed ON es_events (transaction_id, global_position);
CREATE INDEX es_events_recorded_at ON es_events (recorded_at);

-- The event history is append-only: no update or delete, ever.
CREATE FUNCTION es_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'es_events is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER es_events_no_update BEFORE UPDATE OR DELETE ON es_events
  FOR EACH ROW EXECUTE FUNCTION es_events_append_only();
CREATE TRIGGER es_events_no_truncate BEFORE TRUNCATE ON es_events
  FOR EACH STATEMENT EXECUTE FUNCTION es_events_append_only();

-- Subscription and projection checkpoints, with the error that stopped one (never skipped).
CREATE TABLE es_checkpoints (
  subscription_id text PRIMARY KEY,
  version         integer NOT NULL DEFAULT 1,
  position        text NOT NULL DEFAULT '0/0',
  events_handled  bigint NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'running',
  error           text,
  error_position  text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
