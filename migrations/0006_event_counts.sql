-- Totals per event type, for cluster-wide metrics that every instance reports identically.
CREATE TABLE rm_event_counts (
  event_type text PRIMARY KEY,
  count      bigint NOT NULL
);
