-- Rate limits shared by every instance (GCRA, as Boulder keeps them): one row per bucket holding its
-- theoretical arrival time in epoch milliseconds. A check is one INSERT … ON CONFLICT DO UPDATE
-- that computes the new TAT and the decision; `allowed` and `seen_ms` are the last decision and the
-- database clock it was made on. A row whose TAT has passed is a full bucket and may be deleted.
CREATE TABLE rl_buckets (
  bucket   text PRIMARY KEY,
  tat_ms   bigint NOT NULL,
  seen_ms  bigint NOT NULL,
  allowed  boolean NOT NULL,
  -- The limit the last decision applied (an override's, if any): period, cost of one request, count.
  period_ms    bigint NOT NULL,
  cost_ms      bigint NOT NULL,
  limit_count  integer NOT NULL
);
CREATE INDEX rl_buckets_tat ON rl_buckets (tat_ms);

-- Rate-limit overrides set through the admin API, as their event stream tells them (inline read model).
CREATE TABLE rm_rate_limit_overrides (
  limit_name  text NOT NULL,
  subject     text NOT NULL,
  count       integer NOT NULL,
  period_ms   bigint,
  reason      text,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (limit_name, subject)
);
