-- Keys blocked after a proven key compromise (a read model of CertificateRevoked events that name
-- the key): CSRs and new account keys with one of these SubjectPublicKeyInfo hashes are refused.
CREATE TABLE rm_blocked_keys (
  spki_sha256     text PRIMARY KEY,
  certificate_id  text NOT NULL,
  serial          text NOT NULL,
  blocked_at      timestamptz NOT NULL
);
