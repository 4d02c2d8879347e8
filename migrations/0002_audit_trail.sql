-- Audit trail read model: one human-readable row per event (who, what, when, from where, which server).
CREATE TABLE rm_audit_trail (
  position     text PRIMARY KEY,
  event_id     uuid NOT NULL UNIQUE,
  stream_id    text NOT NULL,
  event_type   text NOT NULL,
  actor        text,
  source_ip    text,
  server_id    text,
  request_id   text,
  recorded_at  timestamptz NOT NULL,
  summary      text NOT NULL
);
CREATE INDEX rm_audit_trail_stream ON rm_audit_trail (stream_id);
CREATE INDEX rm_audit_trail_recorded_at ON rm_audit_trail (recorded_at);
CREATE INDEX rm_audit_trail_actor ON rm_audit_trail (actor);
