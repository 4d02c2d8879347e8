/**
 * The validated configuration, mirroring CONFIG_SCHEMA (src/config/schema.ts);
 * docs/configuration.md describes each key.
 *
 * Units: every duration is a number of MILLISECONDS (written "30s", "7d" in the file), every
 * size a number of BYTES (written "64kb"), every path absolute. Keys the file may leave unset are
 * `null`, never an empty string.
 */
import type { RateLimitSettings } from '../ratelimit/limits';

export type Milliseconds = number;
export type Bytes = number;

export interface Config {
  /** Absolute path. */
  data_dir: string;
  server: {
    listen: string;
    /** Absolute http(s) URL without a trailing '/': derived from `listen` when not set. */
    external_url: string;
    tls: { cert_file: string | null; key_file: string | null };
    shutdown_timeout: Milliseconds;
    /** Worker processes; "auto" is already resolved to the number of CPUs. */
    workers: number;
    body_limit: Bytes;
    trusted_proxies: string[];
    health_details_from: string[];
  };
  workers: { drain_timeout: Milliseconds; concurrency: number; lease: Milliseconds; heartbeat_interval: Milliseconds; takeover_after: Milliseconds; poll_interval: Milliseconds };
  database: {
    /** Unset: DATABASE_URL is used if set, else null = embedded PostgreSQL. */
    url: string | null;
    /** The owner role, for migrations; null: migrations run as `url`. */
    migration_url: string | null;
    pool_max: number;
    background_pool_max: number;
    auto_setup: boolean;
    connect_timeout: Milliseconds;
    statement_timeout: Milliseconds;
    idle_in_transaction_timeout: Milliseconds;
  };
  eventstore: { poll_interval: Milliseconds };
  logging: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'; format: 'json' | 'pretty' };
  acme: {
    order_lifetime: Milliseconds;
    authorization_lifetime: Milliseconds;
    /** 0 = a valid authorization is never reused. */
    authorization_reuse: Milliseconds;
    pending_authorization_lifetime: Milliseconds;
    nonce_lifetime: Milliseconds;
    terms_of_service: string | null;
    website: string | null;
    caa_identities: string[];
    eab_required: boolean;
    contact_domains: string[];
    contact_mx_check: boolean;
    ip_identifiers: boolean;
    max_identifiers: number;
    orders_page_size: number;
    retry_after: Milliseconds;
    max_validity: Milliseconds;
    profiles: Array<{
      name: string;
      description: string;
      validity_days: number | null;
      key_types: Array<'rsa' | 'ec'>;
      client_auth: boolean;
      allow_wildcard: boolean;
      allow_ip: boolean;
      common_name: boolean;
    }>;
    default_profile: string | null;
  };
  /** Rate limits (src/ratelimit); count 0 = off. */
  rate_limits: RateLimitSettings;
  validation: {
    resolvers: string[];
    http01_port: number;
    tls_alpn01_port: number;
    allow_private_networks: boolean;
    timeout: Milliseconds;
    inline_wait: Milliseconds;
    max_redirects: number;
    max_response_bytes: Bytes;
    attempts: number;
    caa: boolean;
    caa_recheck_after: Milliseconds;
  };
  ca: {
    backend: 'internal';
    validity: Milliseconds;
    client_auth: boolean;
    /** With crl.enabled and unset in the file: <external_url><crl.path>. */
    crl_url: string | null;
    issuer_url: string | null;
    internal: {
      root_cert_file: string | null;
      intermediate_cert_file: string | null;
      intermediate_key_file: string | null;
      /** Name of the environment variable holding the passphrase (checked to be set). */
      key_passphrase_env: string | null;
      key_type: 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-4096';
    };
  };
  cleanup: { interval: Milliseconds; batch_size: number; stuck_processing_after: Milliseconds };
  crl: { enabled: boolean; path: string; validity: Milliseconds; refresh: Milliseconds; check_interval: Milliseconds };
  metrics: { enabled: boolean; path: string; token: string | null };
  admin: { enabled: boolean; token_secret: string | null; token_ttl: Milliseconds; login_free_attempts: number; login_delay: Milliseconds; login_max_delay: Milliseconds };
  audit: { enabled: boolean; hmac_secret: string | null };
  notifications: {
    enabled: boolean;
    expiration_warning: boolean;
    expiration_warning_days: number[];
    expiration_check_interval: Milliseconds;
    templates_dir: string | null;
    retry_limit: number;
    retry_delay: Milliseconds;
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
    timeout: Milliseconds;
  };
  /** Each duration as written in the file (e.g. "45s"), by dotted key, for messages that quote the operator. */
  readonly written: Record<string, string>;
}
