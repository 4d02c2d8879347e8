-- Anti-replay nonces (RFC 8555 §7.2). Not events: short-lived, single use, shared by every
-- instance so any instance can accept a nonce another one issued.
CREATE TABLE acme_nonces (
  nonce       text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX acme_nonces_expires_at ON acme_nonces (expires_at);
