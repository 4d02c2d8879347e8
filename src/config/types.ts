/**
 * The validated configuration. Durations are milliseconds, sizes bytes, paths absolute.
 * Mirrors CONFIG_SCHEMA (src/config/schema.ts); docs/configuration.md describes each key.
 */
export interface Config {
  data_dir: string;
  server: {
    listen: string;
    external_url: string;
    tls: { cert_file: string | null; key_file: string | null };
    shutdown_timeout: number;
    workers: number;
    body_limit: number;
    trusted_proxies: string[];
  };
  workers: { drain_timeout: number; concurrency: number; lease: number };
  database: {
    url: string | null;
    pool_max: number;
    background_pool_max: number;
    auto_setup: boolean;
    connect_timeout: number;
    statement_timeout: number;
    idle_in_transaction_timeout: number;
  };
  eventstore: { backend: 'postgres' | 'kurrentdb'; kurrentdb: { connection_string: string | null }; poll_interval: number };
  logging: { level: string; format: 'json' | 'pretty' };
  acme: {
    order_lifetime: number;
    authorization_lifetime: number;
    authorization_reuse: number;
    pending_authorization_lifetime: number;
    nonce_lifetime: number;
    terms_of_service: string | null;
    website: string | null;
    caa_identities: string[];
    eab_required: boolean;
    max_identifiers: number;
    orders_page_size: number;
    retry_after: number;
    max_validity: number;
  };
  validation: {
    resolvers: string[];
    http01_port: number;
    tls_alpn01_port: number;
    allow_private_networks: boolean;
    timeout: number;
    max_redirects: number;
    max_response_bytes: number;
    attempts: number;
  };
  ca: {
    backend: 'internal';
    validity: number;
    client_auth: boolean;
    crl_url: string | null;
    issuer_url: string | null;
    internal: {
      root_cert_file: string | null;
      intermediate_cert_file: string | null;
      intermediate_key_file: string | null;
      key_passphrase_env: string | null;
      key_type: 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-4096';
    };
  };
  cleanup: { interval: number; batch_size: number; stuck_processing_after: number };
  crl: { enabled: boolean; path: string; validity: number; refresh: number; check_interval: number };
  metrics: { enabled: boolean; path: string; token: string | null };
  admin: { enabled: boolean; token_secret: string | null; token_ttl: number };
  audit: { enabled: boolean; hmac_secret: string | null };
  notifications: {
    enabled: boolean;
    expiration_warning: boolean;
    expiration_warning_days: number[];
    expiration_check_interval: number;
    templates_dir: string | null;
    retry_limit: number;
    retry_delay: number;
  };
  smtp: {
    enabled: boolean;
    host: string | null;
    port: number;
    secure: boolean;
    starttls: boolean;
    reject_unauthorized: boolean;
    username: string | null;
    password: string | null;
    from: string | null;
    cc: string[];
    bcc: string[];
    timeout: number;
  };
  /** The raw text of each duration as written, for messages that quote the operator's values. */
  readonly written: Record<string, string>;
}
