-- RFC 9773 `replaces`: the certificate an order renews, to refuse a second live replacement.
ALTER TABLE rm_orders ADD COLUMN replaces text;
CREATE INDEX rm_orders_replaces ON rm_orders (replaces) WHERE replaces IS NOT NULL;
