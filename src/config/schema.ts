/**
 * The configuration schema: one JSON Schema holding every key's type, default and meaning.
 * docs/configuration.md is generated from it and checked against it by a test.
 *
 * Annotations the loader reads (ajv ignores them):
 * - `x-unit: duration`: a string like "30s", turned into milliseconds. `x-zero` says why zero is
 *   refused ('allowed' when zero means something); `x-timer` caps the value at what a Node.js
 *   timer and a PostgreSQL timeout can hold.
 * - `x-unit: size`: a string like "64kb" (or a plain byte count), turned into bytes; `x-min-bytes`.
 * - `x-unit: path`: resolved against the configuration file's folder.
 * - `x-hint`: what the value should look like, shown when a pattern does not match.
 * - `x-expect`: the whole expectation for a key with alternatives (anyOf).
 * - `x-secret`: the value is never repeated in an error message.
 */
export type Schema = Record<string, unknown>;

export const ANNOTATIONS = ['x-unit', 'x-zero', 'x-timer', 'x-min-bytes', 'x-hint', 'x-expect', 'x-secret'];

/** Longest delay setTimeout honours (a longer one fires at once) and PostgreSQL's timeout limit. */
export const MAX_TIMER_MS = 2_147_483_647;

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
const secret = (description: string): Schema => str(null, description, { 'x-secret': true });
const url = (description: string): Schema =>
  str(null, description, { pattern: '^https?://[^\\s/?#]+[^\\s]*$', 'x-hint': 'an absolute http:// or https:// URL' });
const int = (def: number, description: string, min = 0, max?: number): Schema => ({
  type: 'integer',
  default: def,
  minimum: min,
  ...(max !== undefined ? { maximum: max } : {}),
  description,
});
const bool = (def: boolean, description: string): Schema => ({ type: 'boolean', default: def, description });
const strList = (description: string, items: Schema = { type: 'string' }): Schema => ({ type: 'array', items, default: [], description });
const oneOf = (def: string, values: string[], description: string): Schema => ({ type: 'string', enum: values, default: def, description });
const path = (description: string): Schema => ({ type: ['string', 'null'], 'x-unit': 'path', default: null, description });
const size = (def: string, description: string, minBytes = 1): Schema => ({
  type: 'string',
  'x-unit': 'size',
  'x-min-bytes': minBytes,
  default: def,
  description,
});

/**
 * A duration key. `zero` explains why 0 is refused (or 'allowed'); `timer` marks values handed to
 * setTimeout/setInterval or to PostgreSQL as a timeout, which cannot exceed MAX_TIMER_MS.
 */
const duration = (def: string, description: string, zero: string, timer = false): Schema => ({
  type: 'string',
  'x-unit': 'duration',
  'x-zero': zero,
  ...(timer ? { 'x-timer': true } : {}),
  default: def,
  description,
});

/** A rate limit: `count` requests per `period` (count 0 = off). */
const limit = (count: number, period: string, description: string): Schema =>
  section(`${description}: ${count} per ${period} by default`, {
    count: int(count, 'requests allowed per period (0 = off)', 0, 10_000_000),
    period: duration(period, 'the period the count applies to', 'a zero period would leave no time for any request'),
  });

const TIMEOUT_ZERO = 'a zero timeout would fail every attempt at once';
const INTERVAL_ZERO = 'a zero interval would run the task in a busy loop';
const LIFETIME_ZERO = 'a zero lifetime would expire each one the moment it is created';
const PG_ZERO = 'PostgreSQL reads 0 as "no limit", so one stuck session could hold connections forever';

const PORT = '(6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|\\d{1,4})';
const HOST_PORT = `^(\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]+):${PORT}$`;

export const CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    _comment: {
      description: 'ignored: room for notes',
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      'x-expect': 'a string or a list of strings',
    },
    data_dir: { type: 'string', minLength: 1, 'x-unit': 'path', default: './data', description: 'data directory: embedded PostgreSQL, CA keys, node identity, audit log' },
    server: section('HTTP listener', {
      listen: str('127.0.0.1:4000', 'address and port to listen on (host:port; [v6-address]:port)', {
        pattern: HOST_PORT,
        'x-hint': 'host:port with a port up to 65535, e.g. 0.0.0.0:4000 or [::]:4000',
      }),
      external_url: str(null, 'base URL clients use, without a trailing /; every URL the server emits is built from it (unset: `http://` + server.listen, with 0.0.0.0 and [::] shown as localhost; `https://` when server.tls is set)'),
      tls: section('serve HTTPS directly (no reverse proxy); both files or neither', {
        cert_file: path('PEM certificate chain for HTTPS'),
        key_file: path('PEM private key for HTTPS'),
      }),
      shutdown_timeout: duration('30s', 'time in-flight requests get to finish after SIGTERM; must be <= workers.drain_timeout', 'in-flight requests would be cut off the moment SIGTERM arrives', true),
      workers: {
        anyOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { const: 'auto' }],
        'x-expect': 'an integer from 1 to 256 or "auto"',
        default: 'auto',
        description: 'worker processes serving the port ("auto" = one per CPU, less one with the embedded database); each opens its own database pools',
      },
      body_limit: size('64kb', 'largest request body accepted'),
      trusted_proxies: strList('IP addresses or CIDRs of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed'),
      health_details_from: { ...strList('IP addresses or CIDRs that see /healthz in detail without the metrics token (others get the status only; the status code is the same for all)'), default: ['127.0.0.1', '::1'] },
    }),
    workers: section('background work (validation, issuance, notifications)', {
      drain_timeout: duration('30s', 'time claimed jobs get to finish after SIGTERM', 'claimed jobs would be abandoned the moment SIGTERM arrives', true),
      concurrency: int(4, 'background jobs run at once per queue on this instance', 1, 256),
      lease: duration('30s', 'a claimed job not finished within its lease is taken again by any instance', 'every claimed job would be taken again by another instance at once', true),
      heartbeat_interval: duration('5s', 'how often this instance records in the servers table that it is alive', INTERVAL_ZERO, true),
      takeover_after: duration('20s', 'an instance silent for this long is taken for dead: another instance takes over its claimed jobs at once instead of waiting for their lease; must be at least 3 × workers.heartbeat_interval', 'every instance would be taken for dead at once', true),
      poll_interval: duration('30s', 'how often an idle instance looks for jobs nobody announced (retries, safety-net jobs come due), one query per queue; new and taken-over jobs wake the workers at once (below 500ms counts as 500ms)', INTERVAL_ZERO, true),
    }),
    database: section('PostgreSQL', {
      url: str(null, 'postgres:// URL (unset: the DATABASE_URL environment variable, else the embedded PostgreSQL in `data_dir/postgres`, served as its own role `certledger_server`)', { 'x-secret': true }),
      migration_url: str(null, "postgres:// URL of the owner role that runs migrations; the server's role (database.url) then gets INSERT and SELECT only on the event history (unset: migrations run as database.url; see docs/deployment.md)", { 'x-secret': true }),
      pool_max: int(10, 'connections serving requests (load shedding watches this pool)', 1, 1000),
      background_pool_max: int(10, 'connections for projections, job workers and heartbeat', 2, 1000),
      auto_setup: bool(true, 'apply pending migrations at start (else refuse to start until `db migrate`)'),
      connect_timeout: duration('10s', 'time to wait for a connection', 'the driver reads 0 as "wait forever"', true),
      statement_timeout: duration('30s', 'longest statement', PG_ZERO, true),
      idle_in_transaction_timeout: duration('60s', 'an idle open transaction is cut off (it would stall event subscribers)', PG_ZERO, true),
    }),
    eventstore: section('event store (events are stored in PostgreSQL, database.url)', {
      poll_interval: duration('10s', 'how often idle subscriptions and the hash chain look for events no notification announced (safety net behind local wake-ups and LISTEN/NOTIFY)', INTERVAL_ZERO, true),
    }),
    logging: section('logs', {
      level: oneOf('info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], 'log level'),
      format: oneOf('json', ['json', 'pretty'], 'json lines, or a human format for development'),
    }),
    acme: section('ACME protocol policy', {
      order_lifetime: duration('7d', 'time a new order stays usable', LIFETIME_ZERO),
      authorization_lifetime: duration('30d', 'validity of a valid authorization', LIFETIME_ZERO),
      authorization_reuse: duration('30d', 'a valid authorization of the same account and identifier, validated within this window, is reused by new orders (0 = never reuse)', 'allowed'),
      pending_authorization_lifetime: duration('7d', 'time a pending authorization waits for validation', LIFETIME_ZERO),
      nonce_lifetime: duration('1h', 'time an issued nonce stays usable', 'every nonce would be stale on arrival and each request would fail with badNonce'),
      terms_of_service: url('terms of service URL (directory meta); when set, new accounts must agree'),
      website: url('website URL (directory meta)'),
      caa_identities: strList('CAA issuer domain names of this CA: listed in the directory meta and matched against CAA issue/issuewild records (validation.caa)'),
      eab_required: bool(false, 'new accounts need External Account Binding'),
      contact_domains: strList('mail domains accepted in account contacts (a domain covers its subdomains); empty = any'),
      contact_mx_check: bool(false, 'refuse a contact whose mail domain has neither an MX nor an A/AAAA record (asked through validation.resolvers)'),
      ip_identifiers: bool(true, 'IP address identifiers (RFC 8738) may be ordered, validated by http-01 and tls-alpn-01 only; false refuses them with rejectedIdentifier'),
      max_identifiers: int(100, 'identifiers per order', 1, 1000),
      orders_page_size: int(50, 'orders per page of an account orders list', 1, 1000),
      retry_after: duration('1s', 'Retry-After on processing orders, authorizations and challenges', 'clients would poll without pause'),
      max_validity: duration('397d', 'longest certificate validity a client may ask for (notAfter policy)', 'no certificate could be issued'),
      profiles: strList(
        'certificate profiles (ACME profiles extension), listed in the directory meta.profiles and chosen by an order\'s "profile": each {name, description, validity_days (default: ca.validity), key_types [rsa, ec] (default: both), client_auth (false), allow_wildcard (true), allow_ip (false), common_name (true)}; empty = no profiles',
        {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', 'x-hint': 'a short name such as classic or tlsserver' },
            description: { type: 'string', default: '' },
            validity_days: { type: ['integer', 'null'], minimum: 1, maximum: 398, default: null },
            key_types: { type: 'array', items: { type: 'string', enum: ['rsa', 'ec'] }, default: [] },
            client_auth: { type: 'boolean', default: false },
            allow_wildcard: { type: 'boolean', default: true },
            allow_ip: { type: 'boolean', default: false },
            common_name: { type: 'boolean', default: true },
          },
        },
      ),
      default_profile: str(null, 'profile of orders that name none (must be one of acme.profiles); unset = the first profile'),
    }),
    rate_limits: section('rate limits, kept in PostgreSQL and shared by every instance (GCRA); each limit is `count` per `period`, count 0 = off; defaults are Let\'s Encrypt\'s published limits where there is one. See docs/rate-limits.md', {
      new_accounts_per_ip: limit(10, '3h', 'new accounts per client IP address'),
      new_accounts_per_ipv6_48: limit(500, '3h', 'new accounts per IPv6 /48'),
      new_orders_per_account: limit(300, '3h', 'new orders per account'),
      pending_authorizations_per_account: int(300, 'pending authorizations an account may hold at once (0 = off)', 0, 1_000_000),
      failed_validations_per_account_and_hostname: limit(5, '1h', 'failed validations per account and hostname; past it, new orders, authorizations and challenges for the name are refused'),
      certificates_per_registered_domain: limit(50, '7d', 'certificates per registered domain (public suffix list); renewals are exempt'),
      duplicate_certificates: limit(5, '7d', 'certificates for the same set of names'),
      new_nonces_per_ip: limit(600, '1m', 'explicit newNonce requests per client IP address (the Replay-Nonce of other responses is not counted)'),
      allow_addresses: strList('IP addresses or CIDRs exempt from every limit (loopback is not exempt unless listed)'),
      allow_accounts: strList('account ids exempt from every limit'),
      renewal_window: duration('120d', 'a certificate for exactly the names the same account was issued within this window is a renewal, exempt from the per-domain limit (0 = no exemption)', 'allowed'),
      docs_url: url('page a rateLimited problem links to (Link rel="help"; unset: server.external_url + /docs/rate-limits, served by the server)'),
    }),
    validation: section('challenge validation', {
      resolvers: strList('DNS resolvers as host or host:port; empty = the system resolver'),
      http01_port: int(80, 'port http-01 connects to', 1, 65535),
      tls_alpn01_port: int(443, 'port tls-alpn-01 connects to', 1, 65535),
      allow_private_networks: bool(false, 'allow loopback, private, link-local and reserved addresses (tests and labs only)'),
      timeout: duration('10s', 'time one validation may take', TIMEOUT_ZERO, true),
      inline_wait: duration(
        '500ms',
        'how long the response to a challenge waits for its validation: an outcome by then is recorded with the request in one transaction; a slower validation goes on and is recorded when it ends (0 = never wait)',
        'allowed',
      ),
      max_redirects: int(10, 'redirects http-01 follows', 0, 10),
      max_response_bytes: size('64kb', 'largest http-01 response read', 128),
      attempts: int(3, 'tries per validation before the challenge fails (connection errors only)', 1, 10),
      caa: bool(true, 'check CAA records (RFC 8659, RFC 8657 accounturi/validationmethods) against acme.caa_identities after each dns identifier validation'),
      caa_recheck_after: duration('8h', 'age of a CAA check after which finalize checks again before issuing (BR 3.2.2.8 allows at most 8h)', 'allowed'),
    }),
    ca: section('certificate authority', {
      backend: oneOf('internal', ['internal'], 'CA backend'),
      validity: duration('90d', 'certificate validity (capped by the notAfter a client asks for); must be <= acme.max_validity', 'every certificate would be expired when issued'),
      client_auth: bool(false, 'add the clientAuth extended key usage'),
      crl_url: url('CRL distribution point URL put in certificates (unset with crl.enabled: server.external_url + crl.path)'),
      issuer_url: url('AIA caIssuers URL put in certificates'),
      internal: section('internal CA: generated into `data_dir/ca` on first start unless files are given', {
        root_cert_file: path('root CA certificate (PEM); required with intermediate_cert_file'),
        intermediate_cert_file: path('issuing intermediate certificate (PEM); both intermediate files or neither'),
        intermediate_key_file: path('issuing intermediate private key (PKCS#8 PEM, may be encrypted)'),
        key_passphrase_env: str(null, 'name of the environment variable holding the key passphrase (the variable must be set)', {
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          'x-hint': 'an environment variable name such as CA_KEY_PASSPHRASE, not the passphrase itself',
        }),
        key_type: oneOf('ecdsa-p256', ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-4096'], 'key type of generated CA keys'),
      }),
    }),
    cleanup: section('housekeeping on the elected instance', {
      interval: duration('5m', 'how often cleanup runs', INTERVAL_ZERO, true),
      batch_size: int(200, 'rows handled per step, so cleanup never holds many connections or locks', 1, 10000),
      stuck_processing_after: duration('10m', 'an order still processing after this long fails with an error the client sees', 'every order would fail the moment it starts processing'),
    }),
    crl: section('certificate revocation list', {
      enabled: bool(false, 'build and serve a CRL; certificates then carry its URL (ca.crl_url, default server.external_url + crl.path)'),
      path: str('/crl', 'path the CRL is served at (DER, application/pkix-crl)', { pattern: '^/[A-Za-z0-9._/-]*$', 'x-hint': 'a URL path starting with /' }),
      validity: duration('24h', 'nextUpdate - thisUpdate of each CRL; must be longer than crl.refresh', 'every CRL would be stale when published'),
      refresh: duration('1h', 'a new CRL is built at least this often (and right after revocations)', INTERVAL_ZERO, true),
      check_interval: duration('5s', 'how often the elected instance looks for new revocations', INTERVAL_ZERO, true),
    }),
    metrics: section('Prometheus metrics', {
      enabled: bool(true, 'serve metrics'),
      path: str('/metrics', 'metrics path', { pattern: '^/[A-Za-z0-9._/-]*$', 'x-hint': 'a URL path starting with /' }),
      token: secret('bearer token required to scrape (unset: open)'),
    }),
    admin: section('admin API', {
      enabled: bool(false, 'serve the admin API under /api'),
      token_secret: secret('secret signing admin tokens; at least 32 characters, required when admin.enabled'),
      token_ttl: duration('1h', 'admin token lifetime', LIFETIME_ZERO),
      login_free_attempts: int(5, 'failed logins one client address may make for one username before delays apply (counted atomically in the database)', 1, 100),
      login_delay: duration('1s', 'first delay once login_free_attempts is reached; it doubles with each further failure from that address (only that address for that username is slowed: nobody else is locked out)', 'repeated guesses would never be slowed down'),
      login_max_delay: duration('15m', 'longest delay between two login attempts of one username from one address', 'repeated guesses would never be slowed down', true),
    }),
    audit: section('tamper-evident audit log', {
      enabled: bool(true, 'write the audit log'),
      hmac_secret: secret('HMAC secret of the audit chain'),
    }),
    notifications: section('notifications', {
      enabled: bool(true, 'record and send notifications (false: nothing is recorded or sent)'),
      expiration_warning: bool(true, 'warn account contacts before their certificates expire'),
      expiration_warning_days: {
        type: 'array',
        items: { type: 'integer', minimum: 1, maximum: 365 },
        minItems: 1,
        default: [30, 14, 7, 1],
        description: 'days before expiry at which a certificate is warned about, once each',
      },
      expiration_check_interval: duration('1h', 'how often the elected instance looks for certificates to warn about', INTERVAL_ZERO, true),
      templates_dir: path('folder overriding the email templates (expiration-warning.subject.txt, expiration-warning.txt)'),
      retry_limit: int(3, 'delivery retries of a failed email', 0, 20),
      retry_delay: duration('60s', 'first retry delay of a failed email; doubles each retry (capped at 1h)', 'failed emails would be retried without pause', true),
    }),
    smtp: section('outgoing email; when disabled, notifications are recorded but not sent', {
      enabled: bool(false, 'send email'),
      host: str(null, 'SMTP server host; required when smtp.enabled'),
      port: int(587, 'SMTP server port', 1, 65535),
      secure: bool(false, 'implicit TLS from the first byte (port 465)'),
      starttls: bool(true, 'require STARTTLS when not secure'),
      reject_unauthorized: bool(true, "verify the SMTP server's TLS certificate"),
      username: str(null, 'SMTP user (usually ${SMTP_USER})'),
      password: secret('SMTP password (usually ${SMTP_PASSWORD})'),
      from: str(null, 'sender address; required when smtp.enabled'),
      cc: strList('copy recipients'),
      bcc: strList('blind copy recipients'),
      timeout: duration('30s', 'connection and send timeout', TIMEOUT_ZERO, true),
    }),
  },
};
