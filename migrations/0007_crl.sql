-- Revoked serials (a read model of CertificateRevoked) and the current CRL of each issuer, shared by
-- every instance: the CRL is built once per change by the elected instance and served by all.
CREATE TABLE rm_crl_entries (
  serial      text PRIMARY KEY,
  revoked_at  timestamptz NOT NULL,
  reason      integer NOT NULL
);

CREATE TABLE crl_state (
  issuer          text PRIMARY KEY,
  crl_number      bigint NOT NULL,
  this_update     timestamptz NOT NULL,
  next_update     timestamptz NOT NULL,
  revoked_count   integer NOT NULL,
  last_revoked_at timestamptz,
  der             bytea NOT NULL
);
