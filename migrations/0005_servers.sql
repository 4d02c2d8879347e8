-- Node identity: every instance registers its server_id and keeps last_seen fresh (heartbeat).
CREATE TABLE servers (
  server_id   uuid PRIMARY KEY,
  hostname    text NOT NULL,
  version     text NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now()
);
