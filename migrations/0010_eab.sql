-- External Account Binding keys. The HMAC secret lives only here (never in the event history);
-- creation and revocation are events on eab-<key_id>, projected into rm_eab_keys.
CREATE TABLE eab_secrets (
  key_id    text PRIMARY KEY,
  hmac_key  bytea NOT NULL
);

CREATE TABLE rm_eab_keys (
  key_id              text PRIMARY KEY,
  allowed_identifiers text[] NOT NULL,
  note                text,
  created_at          timestamptz NOT NULL,
  created_by          text,
  revoked_at          timestamptz,
  bound_account_id    text
);
