-- Admin API users (roles admin / auditor) and revoked tokens. Passwords are scrypt hashes.
CREATE TABLE admin_users (
  user_id             text PRIMARY KEY,
  username            text NOT NULL UNIQUE,
  role                text NOT NULL CHECK (role IN ('admin', 'auditor')),
  password_hash       text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  failed_logins       integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE admin_revoked_tokens (
  jti         text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
