-- Read models of the ACME resources, built by projections/ from the event history.
CREATE TABLE rm_accounts (
  account_id   text PRIMARY KEY,
  thumbprint   text NOT NULL,
  status       text NOT NULL,
  contact      jsonb NOT NULL,
  eab_key_id   text,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX rm_accounts_thumbprint ON rm_accounts (thumbprint);

CREATE TABLE rm_orders (
  order_id          text PRIMARY KEY,
  account_id        text NOT NULL,
  identifiers       jsonb NOT NULL,
  authorization_ids text[] NOT NULL,
  expires           timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  finalized_at      timestamptz,
  certificate_id    text,
  failed            boolean NOT NULL DEFAULT false
);
CREATE INDEX rm_orders_account ON rm_orders (account_id, created_at, order_id);

CREATE TABLE rm_authorizations (
  authz_id      text PRIMARY KEY,
  account_id    text NOT NULL,
  identifier    text NOT NULL,
  wildcard      boolean NOT NULL,
  status        text NOT NULL,
  expires       timestamptz NOT NULL,
  validated_at  timestamptz,
  created_at    timestamptz NOT NULL
);
CREATE INDEX rm_authorizations_reuse ON rm_authorizations (account_id, identifier, wildcard, status, expires);

CREATE TABLE rm_certificates (
  certificate_id     text PRIMARY KEY,
  serial             text NOT NULL UNIQUE,
  account_id         text NOT NULL,
  order_id           text NOT NULL,
  names              text[] NOT NULL,
  not_before         timestamptz NOT NULL,
  not_after          timestamptz NOT NULL,
  fingerprint_sha256 text NOT NULL,
  key_type           text NOT NULL,
  issuer             text NOT NULL,
  issued_at          timestamptz NOT NULL,
  revoked_at         timestamptz,
  revocation_reason  integer
);
CREATE INDEX rm_certificates_account ON rm_certificates (account_id);
CREATE INDEX rm_certificates_not_after ON rm_certificates (not_after) WHERE revoked_at IS NULL;
