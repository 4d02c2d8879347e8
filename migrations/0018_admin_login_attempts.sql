-- Failed admin logins, counted per (username, client address) by src/admin/login-throttle.ts; the
-- per-user lock of 0009 (failed_logins, locked_until) is no longer used.
CREATE TABLE admin_login_attempts (
  username    text NOT NULL,
  address     text NOT NULL,
  failures    integer NOT NULL,
  not_before  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (username, address)
);
