/**
 * The configuration schema: one JSON Schema holding every key's type, default and meaning.
 * docs/configuration.md is checked against it by a test. Keys marked `x-unit: duration` are
 * strings like "30s" turned into milliseconds; `x-unit: size` strings like "64kb" into bytes;
 * `x-unit: path` are resolved against the configuration file's folder.
 */
type Schema = Record<string, unknown>;

const section = (description: string, properties: Record<string, Schema>): Schema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
  default: {},
});
const str = (def: string | null, description: string, extra: Schema = {}): Schema => ({
  type: def === null ? ['string', 'null'] : 'string',
  default: def,
  description,
  ...extra,
});
const int = (def: number, description: string, min = 0, max?: number): Schema => ({
  type: 'integer',
  default: def,
  minimum: min,
  ...(max !== undefined ? { maximum: max } : {}),
  description,
});
const bool = (def: boolean, description: string): Schema => ({ type: 'boolean', default: def, description });
const duration = (def: string, description: string): Schema => ({ type: 'string', 'x-unit': 'duration', default: def, description });
const size = (def: string, description: string): Schema => ({ type: 'string', 'x-unit': 'size', default: def, description });
const path = (description: string): Schema => ({ type: ['string', 'null'], 'x-unit': 'path', default: null, description });
const strList = (description: string, items: Schema = { type: 'string' }): Schema => ({ type: 'array', items, default: [], description });
const oneOf = (def: string, values: string[], description: string): Schema => ({ type: 'string', enum: values, default: def, description });

const HOST_PORT = '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]+):\\d{1,5}$';

export const CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    _comment: { description: 'ignored: room for notes', anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    data_dir: { type: 'string', 'x-unit': 'path', default: './data', description: 'data directory: embedded PostgreSQL, CA keys, node identity, audit log' },
    server: section('HTTP listener', {
      listen: str('127.0.0.1:4000', 'address and port to listen on (host:port)', { pattern: HOST_PORT }),
      external_url: str(null, 'base URL clients use; every URL the server emits is built from it (default: http://<listen>)'),
      tls: section('serve HTTPS directly (no reverse proxy); both files or neither', {
        cert_file: path('PEM certificate chain for HTTPS'),
        key_file: path('PEM private key for HTTPS'),
      }),
      shutdown_timeout: duration('30s', 'time in-flight requests get to finish after SIGTERM; must be <= workers.drain_timeout'),
      workers: { anyOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { const: 'auto' }], default: 'auto', description: 'worker processes serving the port ("auto" = one per CPU)' },
      body_limit: size('64kb', 'largest request body accepted'),
      trusted_proxies: strList('CIDRs of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed'),
    }),
    workers: section('background work (validation, issuance)', {
      drain_timeout: duration('30s', 'time claimed jobs get to finish after SIGTERM'),
      concurrency: int(4, 'jobs run at once per queue on this instance', 1, 256),
      lease: duration('30s', 'a claimed job not finished within its lease is retried by any instance'),
    }),
    database: section('PostgreSQL', {
      url: str(null, 'postgres:// URL; unset: DATABASE_URL, else the embedded PostgreSQL in <data_dir>/postgres'),
      pool_max: int(10, 'connections serving requests (load shedding watches this pool)', 1, 1000),
      background_pool_max: int(10, 'connections for projections, job workers and heartbeat', 2, 1000),
      auto_setup: bool(true, 'apply pending migrations at start (else refuse to start until `db migrate`)'),
      connect_timeout: duration('10s', 'time to wait for a connection'),
      statement_timeout: duration('30s', 'longest statement'),
      idle_in_transaction_timeout: duration('60s', 'an idle open transaction is cut off (it would stall event subscribers)'),
    }),
    eventstore: section('event store', {
      backend: oneOf('postgres', ['postgres', 'kurrentdb'], 'where events are stored'),
      kurrentdb: section('KurrentDB connection (backend kurrentdb)', {
        connection_string: str(null, 'kurrentdb:// connection string'),
      }),
      poll_interval: duration('500ms', 'subscription polling interval (safety net behind LISTEN/NOTIFY)'),
    }),
    logging: section('logs', {
      level: oneOf('info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], 'log level'),
      format: oneOf('json', ['json', 'pretty'], 'json lines, or a human format for development'),
    }),
    acme: section('ACME protocol policy', {
      order_lifetime: duration('7d', 'time a new order stays usable'),
      authorization_lifetime: duration('30d', 'validity of a valid authorization'),
      authorization_reuse: duration('30d', 'a valid authorization of the same account and identifier, validated within this window, is reused by new orders'),
      pending_authorization_lifetime: duration('7d', 'time a pending authorization waits for validation'),
      nonce_lifetime: duration('1h', 'time an issued nonce stays usable'),
      terms_of_service: str(null, 'terms of service URL (directory meta); when set, new accounts must agree'),
      website: str(null, 'website URL (directory meta)'),
      caa_identities: strList('CAA issuer domain names of this CA (directory meta)'),
      eab_required: bool(false, 'new accounts need External Account Binding'),
      max_identifiers: int(100, 'identifiers per order', 1, 1000),
      orders_page_size: int(50, 'orders per page of an account orders list', 1, 1000),
      retry_after: duration('3s', 'Retry-After on processing orders and pending challenges'),
      max_validity: duration('397d', 'longest certificate validity a client may ask for (notAfter policy)'),
    }),
    validation: section('challenge validation', {
      resolvers: strList('DNS resolvers as host:port; empty = the system resolver', { type: 'string', pattern: '^[^\\s]+$' }),
      http01_port: int(80, 'port http-01 connects to', 1, 65535),
      tls_alpn01_port: int(443, 'port tls-alpn-01 connects to', 1, 65535),
      allow_private_networks: bool(false, 'allow loopback, private, link-local and reserved addresses (tests and labs only)'),
      timeout: duration('10s', 'time one validation may take'),
      max_redirects: int(10, 'redirects http-01 follows', 0, 10),
      max_response_bytes: int(65536, 'largest http-01 response read', 128),
      attempts: int(3, 'tries per validation before the challenge fails (connection errors only)', 1, 10),
    }),
    ca: section('certificate authority', {
      backend: oneOf('internal', ['internal'], 'CA backend'),
      validity: duration('90d', 'certificate validity (capped by the notAfter a client asks for)'),
      client_auth: bool(false, 'add the clientAuth extended key usage'),
      crl_url: str(null, 'CRL distribution point URL put in certificates'),
      issuer_url: str(null, 'AIA caIssuers URL put in certificates'),
      internal: section('internal CA: generated into <data_dir>/ca on first start unless files are given', {
        root_cert_file: path('root CA certificate (PEM)'),
        intermediate_cert_file: path('issuing intermediate certificate (PEM)'),
        intermediate_key_file: path('issuing intermediate private key (PKCS#8 PEM, may be encrypted)'),
        key_passphrase_env: str(null, 'name of the environment variable holding the key passphrase', { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        key_type: oneOf('ecdsa-p256', ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-4096'], 'key type of generated CA keys'),
      }),
    }),
    cleanup: section('housekeeping on the elected instance', {
      interval: duration('5m', 'how often cleanup runs'),
      batch_size: int(200, 'rows handled per step, so cleanup never holds many connections or locks', 1, 10000),
      stuck_processing_after: duration('10m', 'an order still processing after this long fails with an error the client sees'),
    }),
    crl: section('certificate revocation list', {
      enabled: bool(false, 'build and serve a CRL; certificates then carry its URL (ca.crl_url, default <external_url><crl.path>)'),
      path: str('/crl', 'path the CRL is served at (DER, application/pkix-crl)', { pattern: '^/[A-Za-z0-9._/-]*$' }),
      validity: duration('24h', 'nextUpdate - thisUpdate of each CRL'),
      refresh: duration('1h', 'a new CRL is built at least this often (and right after revocations)'),
      check_interval: duration('5s', 'how often the elected instance looks for new revocations'),
    }),
    metrics: section('Prometheus metrics', {
      enabled: bool(true, 'serve metrics'),
      path: str('/metrics', 'metrics path'),
      token: str(null, 'bearer token required to scrape (unset: open)'),
    }),
    admin: section('admin API', {
      enabled: bool(false, 'serve the admin API under /api'),
      token_secret: str(null, 'secret signing admin tokens (at least 32 characters)'),
      token_ttl: duration('1h', 'admin token lifetime'),
    }),
    audit: section('tamper-evident audit log', {
      enabled: bool(true, 'write the audit log'),
      hmac_secret: str(null, 'HMAC secret of the audit chain'),
    }),
    notifications: section('notifications', {
      enabled: bool(true, 'record and send notifications (false: nothing is recorded or sent)'),
      expiration_warning: bool(true, 'warn account contacts before their certificates expire'),
      expiration_warning_days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 365 }, minItems: 1, default: [30, 14, 7, 1], description: 'days before expiry at which a certificate is warned about, once each' },
      expiration_check_interval: duration('1h', 'how often the elected instance looks for certificates to warn about'),
      templates_dir: path('folder overriding the email templates (expiration-warning.subject.txt, expiration-warning.txt)'),
      retry_limit: int(3, 'delivery retries of a failed email', 0, 20),
      retry_delay: duration('60s', 'first retry delay of a failed email; doubles each retry (capped at 1h)'),
    }),
    smtp: section('outgoing email; when disabled, notifications are recorded but not sent', {
      enabled: bool(false, 'send email'),
      host: str(null, 'SMTP server host'),
      port: int(587, 'SMTP server port', 1, 65535),
      secure: bool(false, 'implicit TLS from the first byte (port 465)'),
      starttls: bool(true, 'require STARTTLS when not secure'),
      reject_unauthorized: bool(true, "verify the SMTP server's TLS certificate"),
      username: str(null, 'SMTP user (usually ${SMTP_USER})'),
      password: str(null, 'SMTP password (usually ${SMTP_PASSWORD})'),
      from: str(null, 'sender address'),
      cc: strList('copy recipients'),
      bcc: strList('blind copy recipients'),
      timeout: duration('30s', 'connection and send timeout'),
    }),
  },
};
