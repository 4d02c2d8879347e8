-- Nonces (RFC 8555 §7.2) are now authenticated by an HMAC with a key every instance shares, so
-- issuing one writes nothing; a redeemed nonce is remembered until it expires. The redeemed set is
-- UNLOGGED: a crash empties it, and the server then rotates the key (the sentinel row is gone),
-- which turns every earlier nonce into a badNonce that clients simply retry.
DROP TABLE acme_nonces;

CREATE TABLE acme_nonce_key (
  id          integer PRIMARY KEY CHECK (id = 1),
  key         bytea NOT NULL,
  rotated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE UNLOGGED TABLE acme_redeemed_nonces (
  nonce       text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX acme_redeemed_nonces_expires_at ON acme_redeemed_nonces (expires_at);
