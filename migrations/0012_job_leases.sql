-- Which process holds which job. Every serving process has a row in server_processes that its
-- heartbeat keeps fresh; a job handler records its claim in job_leases while it runs. When a
-- process stops heartbeating (kill -9, a lost host), another instance hands its jobs back to the
-- queue at once instead of waiting for the pg-boss lease to expire.
CREATE TABLE server_processes (
  boot_id     uuid PRIMARY KEY,
  server_id   uuid NOT NULL,
  pid         integer NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE job_leases (
  job_id      uuid PRIMARY KEY,
  queue       text NOT NULL,
  boot_id     uuid NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_leases_boot ON job_leases (boot_id);
