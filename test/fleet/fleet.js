#!/usr/bin/env node
/**
 * Fleet test: three certledger instances sharing one PostgreSQL behind haproxy (HTTP mode, /readyz
 * checks), complete ACME flows running throughout, and in turn:
 *   1. kill -9 of one instance, then its restart;
 *   2. `pg_ctl restart -m fast` of the primary;
 *   3. the primary stops, a streaming standby is promoted, and haproxy's PostgreSQL address (a TCP
 *      frontend) is moved to it through the runtime API.
 * After each phase: every instance still runs, no order stays processing, every valid order has
 * exactly one certificate, every 201 a client received has its events, `projections status` shows
 * lag 0 and no error, `events export` + `events verify` pass. Prints flows completed and failed per
 * phase; a failed flow is retried by its client and must then succeed.
 *
 * Needs: `npm run build`, Debian's postgresql (15) and haproxy packages. Everything listens on
 * 127.0.0.1; everything started is stopped at the end, also on failure.
 * Run: node test/fleet/fleet.js   (FLEET_PHASE_SECONDS=20 load seconds per phase, FLEET_CLIENTS=4)
 */
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { webcrypto } = require('node:crypto');

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
if (!fs.existsSync(path.join(DIST, 'bench', 'support', 'raw-acme.js'))) {
  console.error('fleet: run `npm run build` first');
  process.exit(2);
}
const { Client } = require('pg');
const { calculateJwkThumbprint } = require('jose');
const { RawAcme, testAccountKey } = require(path.join(DIST, 'bench', 'support', 'raw-acme.js'));
const { ChallengeRig } = require(path.join(DIST, 'bench', 'support', 'challenge-rig.js'));
const { x509 } = require(path.join(DIST, 'src', 'ca', 'crypto.js'));

const PG_BIN = process.env.FLEET_PG_BIN ?? findPgBin();
const PHASE_SECONDS = Number(process.env.FLEET_PHASE_SECONDS ?? 20);
const CLIENTS = Number(process.env.FLEET_CLIENTS ?? 4);
const BIN = path.join(ROOT, 'bin', 'certledger.js');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (...a) => console.log(`[fleet ${elapsed()}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function findPgBin() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
  return path.join(base, versions[0], 'bin');
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes we start, stopped at exit whatever happens.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'certledger-fleet-'));
fs.chmodSync(work, 0o755);
const children = new Set();
const pgDirs = [];
const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: run its tools as the postgres user then. */
function pgTool(tool, args, opts = {}) {
  const cmd = path.join(PG_BIN, tool);
  const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', ...opts }) : spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

function cleanup() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const dir of pgDirs) {
    try {
      if (fs.existsSync(path.join(dir, 'postmaster.pid'))) pgTool('pg_ctl', ['-D', dir, 'stop', '-m', 'immediate', '-w']);
    } catch {
      /* not running */
    }
  }
  if (!process.env.FLEET_KEEP) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`fleet: kept ${work}`);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a primary and a streaming standby, both throwaway clusters on free loopback ports.
async function startPrimary(port) {
  const dir = path.join(work, 'pg-primary');
  fs.mkdirSync(dir, { mode: 0o700 });
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  pgDirs.push(dir);
  pgTool('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  fs.appendFileSync(
    path.join(dir, 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'wal_level = replica',
      'max_wal_senders = 4',
      'hot_standby = on',
      'max_connections = 200',
      'fsync = off',
      'synchronous_commit = on',
      'full_page_writes = on',
      '',
    ].join('\n'),
  );
  fs.appendFileSync(path.join(dir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n');
  pgTool('pg_ctl', ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  return dir;
}

async function startStandby(primaryPort, port) {
  const dir = path.join(work, 'pg-standby');
  fs.mkdirSync(dir, { mode: 0o700 });
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  pgDirs.push(dir);
  pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', dir, '-R', '-X', 'stream', '-c', 'fast']);
  fs.appendFileSync(path.join(dir, 'postgresql.conf'), `port = ${port}\nunix_socket_directories = '${dir}'\n`);
  pgTool('pg_ctl', ['-D', dir, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// haproxy: HTTP frontend for the instances (checks /readyz), TCP frontend for PostgreSQL.
function haproxyConfig(p) {
  return `global
  stats socket ${p.socket} mode 600 level admin
  maxconn 2000
defaults
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend acme
  mode http
  bind 127.0.0.1:${p.httpPort}
  option forwardfor
  default_backend certledger
backend certledger
  mode http
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  retries 2
  option redispatch
  retry-on conn-failure
  default-server inter 500 fastinter 250 fall 2 rise 2
${p.instances.map((i) => `  server ${i.name} 127.0.0.1:${i.port} check`).join('\n')}
frontend postgres
  mode tcp
  bind 127.0.0.1:${p.pgPort}
  timeout client 30m
  default_backend postgres
backend postgres
  mode tcp
  timeout server 30m
  default-server inter 500 fall 2 rise 1 on-marked-down shutdown-sessions
  server primary 127.0.0.1:${p.primaryPort} check
  server standby 127.0.0.1:${p.standbyPort} check disabled
`;
}

function haproxyCommand(socket, command) {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(socket);
    let out = '';
    c.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('end', () => resolve(out.trim()));
    c.on('connect', () => c.end(`${command}\n`));
  });
}

// ---------------------------------------------------------------------------------------------
// certledger instances.
function instanceConfig(i, p) {
  const ca = p.caDir
    ? `ca:\n  internal:\n    root_cert_file: ${p.caDir}/root.pem\n    intermediate_cert_file: ${p.caDir}/intermediate.pem\n    intermediate_key_file: ${p.caDir}/intermediate.key\n`
    : '';
  return `data_dir: ${i.dataDir}
server:
  listen: 127.0.0.1:${i.port}
  workers: 1
  external_url: http://127.0.0.1:${p.httpPort}
  trusted_proxies: ["127.0.0.1"]
  shutdown_timeout: 5s
logging:
  level: warn
# The load comes from this machine, far past the per-domain certificate limit: exempt it.
rate_limits:
  allow_addresses: ["127.0.0.1", "::1"]
workers:
  drain_timeout: 5s
  concurrency: 4
  lease: 30s
  heartbeat_interval: 1s
  takeover_after: 4s
database:
  url: postgres://postgres@127.0.0.1:${p.pgPort}/certledger
  pool_max: 10
  background_pool_max: 8
  connect_timeout: 3s
${ca}validation:
  resolvers: ["127.0.0.1:${p.rig.dnsPort}"]
  http01_port: ${p.rig.httpPort}
  tls_alpn01_port: ${p.rig.tlsPort}
  allow_private_networks: true
  timeout: 5s
  attempts: 3
`;
}

function startInstance(i) {
  const logFile = fs.openSync(i.logFile, 'a');
  const child = spawn(process.execPath, [BIN, '-c', i.config, 'serve'], { stdio: ['ignore', logFile, logFile] });
  fs.closeSync(logFile);
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    i.exited = { code, signal };
  });
  i.child = child;
  i.exited = null;
  return child;
}

async function waitReady(url, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

function cli(args, configFile) {
  return spawnSync(process.execPath, [BIN, '-c', configFile, ...args], { encoding: 'utf8', timeout: 120_000 });
}

// ---------------------------------------------------------------------------------------------
// Load: ACME clients running complete flows, retrying as real clients do.
class Stats {
  constructor() {
    this.completed = 0;
    this.failed = 0;
    this.retriedOk = 0;
    this.http5xx = new Map();
    this.created = []; // [kind, id] for every 201
    this.failures = [];
  }
}

async function csrFor(name) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  return Buffer.from(csr.rawData).toString('base64url');
}

class LoadClient {
  constructor(base, rig, index) {
    this.base = base;
    this.rig = rig;
    this.index = index;
    this.n = 0;
  }

  /**
   * One request, signed afresh on each try: 503 waits for Retry-After, 502/504 and connection
   * errors (an instance killed under the request, haproxy without a server) are retried after a
   * pause, badNonce at once. Gives up after 90 s.
   */
  async post(url, payload, stats, opts = {}) {
    const end = Date.now() + 90_000;
    for (;;) {
      let r;
      try {
        r = await this.acme.post(url, payload, this.key, this.kid && !opts.jwk ? { kid: this.kid } : {});
      } catch (e) {
        r = { status: 0, headers: new Headers(), body: { detail: String(e?.cause?.code ?? e?.message ?? e) } };
      }
      if (r.status >= 500 || r.status === 0) stats.http5xx.set(r.status, (stats.http5xx.get(r.status) ?? 0) + 1);
      if (r.status === 500) throw new Error(`500 from ${url}: ${JSON.stringify(r.body)}`);
      const retryable = r.status === 503 || r.status === 502 || r.status === 504 || r.status === 0 || r.body?.type === 'urn:ietf:params:acme:error:badNonce';
      if (!retryable) return r;
      if (Date.now() > end) throw new Error(`giving up on ${url} after repeated ${r.status}: ${JSON.stringify(r.body)}`);
      const after = Number(r.headers.get('retry-after') ?? 0);
      await sleep(r.body?.type === 'urn:ietf:params:acme:error:badNonce' ? 0 : Math.max(250, Math.min(after * 1000, 5000)));
    }
  }

  async init(stats) {
    const end = Date.now() + 60_000;
    for (;;) {
      try {
        this.acme = await new RawAcme(this.base).init();
        break;
      } catch (e) {
        if (Date.now() > end) throw e;
        await sleep(500);
      }
    }
    // RawAcme.nonce() has no retry: wrap it so a nonce during an outage is retried too.
    const rawNonce = this.acme.nonce.bind(this.acme);
    this.acme.nonce = async () => {
      for (let i = 0; ; i++) {
        const n = await rawNonce().catch(() => null);
        if (n) return n;
        await sleep(Math.min(250 * 2 ** i, 3000));
      }
    };
    this.key = await testAccountKey('ES256');
    this.thumbprint = await calculateJwkThumbprint(this.key.jwk, 'sha256');
    const r = await this.post(this.acme.directory.newAccount, { termsOfServiceAgreed: true }, stats, { jwk: true });
    if (r.status !== 201 && r.status !== 200) throw new Error(`newAccount: ${r.status} ${JSON.stringify(r.body)}`);
    this.kid = r.headers.get('location');
    if (r.status === 201) stats.created.push(['account', this.kid.split('/').pop()]);
  }

  async flow(name, stats) {
    const order = await this.post(this.acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, stats);
    if (order.status !== 201) throw new Error(`newOrder ${order.status} ${JSON.stringify(order.body)}`);
    const orderUrl = order.headers.get('location');
    stats.created.push(['order', orderUrl.split('/').pop()]);
    const authz = await this.post(order.body.authorizations[0], '', stats);
    if (authz.status !== 200) throw new Error(`authz ${authz.status} ${JSON.stringify(authz.body)}`);
    if (authz.body.status === 'pending') {
      const ch = authz.body.challenges.find((c) => c.type === 'http-01');
      this.rig.http.set(ch.token, `${ch.token}.${this.thumbprint}`);
      const c = await this.post(ch.url, {}, stats);
      if (c.status !== 200) throw new Error(`challenge ${c.status} ${JSON.stringify(c.body)}`);
    }
    const poll = async (until, deadlineMs) => {
      const end = Date.now() + deadlineMs;
      for (;;) {
        const o = await this.post(orderUrl, '', stats);
        if (o.status !== 200) throw new Error(`order ${o.status} ${JSON.stringify(o.body)}`);
        if (until.includes(o.body.status)) return o.body;
        if (o.body.status === 'invalid') throw new Error(`order became invalid: ${JSON.stringify(o.body.error ?? o.body)}`);
        if (Date.now() > end) throw new Error(`order still ${o.body.status} after ${deadlineMs} ms`);
        await sleep(100);
      }
    };
    let o = await poll(['ready', 'processing', 'valid'], 120_000);
    if (o.status === 'ready') {
      const fin = await this.post(order.body.finalize, { csr: await csrFor(name) }, stats);
      // A finalize retried after its first try committed meets orderNotReady: the order is already on its way.
      if (fin.status !== 200 && fin.body?.type !== 'urn:ietf:params:acme:error:orderNotReady') throw new Error(`finalize ${fin.status} ${JSON.stringify(fin.body)}`);
    }
    o = await poll(['valid'], 120_000);
    const cert = await this.post(o.certificate, '', stats);
    if (cert.status !== 200 || !String(cert.body).includes('BEGIN CERTIFICATE')) throw new Error(`certificate ${cert.status}`);
  }

  /** Runs flows until `stop()`; a failed flow is retried (a new order for the same name) until it succeeds. */
  async run(phase, stats, shouldStop) {
    while (!shouldStop()) {
      const name = `f${this.n++}.c${this.index}.${phase}.fleet.test`;
      for (let attempt = 0; ; attempt++) {
        try {
          await this.flow(name, stats);
          stats.completed++;
          if (attempt > 0) stats.retriedOk++;
          break;
        } catch (e) {
          stats.failed++;
          stats.failures.push(`${name}: ${e.message}`.slice(0, 300));
          if (attempt >= 5) throw new Error(`flow ${name} failed ${attempt + 1} times; last: ${e.message}`);
          await sleep(1000);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks after each phase.
async function checks(phase, ctx, stats) {
  const problems = [];
  for (const i of ctx.instances) if (i.exited || !i.child) problems.push(`instance ${i.name} is not running (${JSON.stringify(i.exited)})`);
  // Nothing may reach the process-level handler but database errors, and those only as a last resort.
  let lastResort = 0;
  for (const i of ctx.instances) {
    const text = fs.existsSync(i.logFile) ? fs.readFileSync(i.logFile, 'utf8') : '';
    if (/unexpected error reached the process|Unhandled 'error' event|UnhandledPromiseRejection/.test(text)) problems.push(`instance ${i.name} logged an error that reached the process`);
    lastResort += (text.match(/database error reached the process/g) ?? []).length;
  }
  ctx.summary.lastResort = lastResort;
  for (const i of ctx.instances) await waitReady(`http://127.0.0.1:${i.port}/readyz`, 60_000).catch((e) => problems.push(e.message));
  const db = new Client({ connectionString: ctx.dbUrl });
  await db.connect();
  try {
    // No order stays processing: finalized, no certificate, not failed.
    let processing = -1;
    for (let t = 0; t < 120; t++) {
      processing = Number((await db.query('SELECT count(*) AS n FROM rm_orders WHERE finalized_at IS NOT NULL AND certificate_id IS NULL AND NOT failed')).rows[0].n);
      if (processing === 0) break;
      await sleep(500);
    }
    if (processing !== 0) problems.push(`${processing} order(s) still processing`);
    const doubled = await db.query(`SELECT stream_id, count(*) AS n FROM es_events WHERE event_type = 'OrderCertificateIssued' GROUP BY stream_id HAVING count(*) > 1`);
    if (doubled.rowCount) problems.push(`orders with more than one certificate: ${doubled.rows.map((r) => r.stream_id).join(', ')}`);
    const counts = (
      await db.query(`SELECT (SELECT count(*) FROM rm_orders WHERE certificate_id IS NOT NULL) AS valid,
                             (SELECT count(*) FROM rm_certificates) AS certs,
                             (SELECT count(DISTINCT order_id) FROM rm_certificates) AS cert_orders,
                             (SELECT count(*) FROM es_events WHERE event_type = 'CertificateIssued') AS cert_events`)
    ).rows[0];
    if (!(counts.valid === counts.certs && counts.certs === counts.cert_orders && counts.certs === counts.cert_events)) {
      problems.push(`valid orders ${counts.valid}, certificates ${counts.certs} (for ${counts.cert_orders} orders), CertificateIssued events ${counts.cert_events}`);
    }
    // Every 201 a client received has its events.
    const missing = [];
    for (const [kind, id] of stats.created) {
      const stream = `${kind}-${id}`;
      const r = await db.query('SELECT 1 FROM es_events WHERE stream_id = $1 LIMIT 1', [stream]);
      if (!r.rowCount) missing.push(stream);
    }
    if (missing.length) problems.push(`201 answered but no events: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (+${missing.length - 5})` : ''}`);
    ctx.summary.valid = Number(counts.valid);
  } finally {
    await db.end();
  }
  // Projections: lag 0, no error (they may still be catching up right after the load stopped).
  let status = '';
  for (let t = 0; t < 30; t++) {
    const r = cli(['projections', 'status'], ctx.cliConfig);
    status = r.stdout + r.stderr;
    const rows = r.stdout.split('\n').slice(1).filter((l) => /^\S/.test(l));
    const lagging = rows.filter((l) => Number(l.trim().split(/\s+/)[3]) !== 0 || !/\brunning\b/.test(l));
    if (r.status === 0 && rows.length > 0 && lagging.length === 0 && !/error at/.test(r.stdout)) {
      status = '';
      break;
    }
    await sleep(1000);
  }
  if (status) problems.push(`projections status:\n${status}`);
  const exportFile = path.join(work, `events-${phase}.jsonl`);
  const ex = cli(['events', 'export', '--out', exportFile], ctx.cliConfig);
  if (ex.status !== 0) problems.push(`events export failed: ${ex.stderr}`);
  else {
    const v = cli(['events', 'verify', exportFile], ctx.cliConfig);
    if (v.status !== 0) problems.push(`events verify failed: ${v.stdout}${v.stderr}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const [primaryPort, standbyPort, pgPort, httpPort, ...ports] = await Promise.all(Array.from({ length: 7 }, freePort));
  const socket = path.join(work, 'haproxy.sock');
  log(`work dir ${work}; PostgreSQL ${PG_BIN}`);
  const primaryDir = await startPrimary(primaryPort);
  execFileSync(path.join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-qc', 'CREATE DATABASE certledger']);
  const standbyDir = await startStandby(primaryPort, standbyPort);
  log(`primary on ${primaryPort}, standby on ${standbyPort}`);

  const rig = await new ChallengeRig().start();
  const instances = ports.map((port, n) => ({ name: `i${n + 1}`, port, dataDir: path.join(work, `i${n + 1}`), config: path.join(work, `i${n + 1}.yaml`), logFile: path.join(work, `i${n + 1}.log`) }));
  fs.writeFileSync(path.join(work, 'haproxy.cfg'), haproxyConfig({ socket, httpPort, pgPort, primaryPort, standbyPort, instances }));
  const haproxy = spawn('haproxy', ['-db', '-f', path.join(work, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', fs.openSync(path.join(work, 'haproxy.log'), 'a')] });
  children.add(haproxy);
  haproxy.on('exit', () => children.delete(haproxy));
  for (let t = 0; !fs.existsSync(socket); t++) {
    if (t > 100) throw new Error('haproxy did not start');
    await sleep(100);
  }
  const dbUrl = `postgres://postgres@127.0.0.1:${pgPort}/certledger`;

  // The first instance migrates the schema and generates the CA the others share.
  const p = { httpPort, pgPort, rig, caDir: null };
  fs.writeFileSync(instances[0].config, instanceConfig(instances[0], p));
  startInstance(instances[0]);
  await waitReady(`http://127.0.0.1:${instances[0].port}/readyz`, 120_000);
  p.caDir = path.join(instances[0].dataDir, 'ca');
  for (const i of instances.slice(1)) {
    fs.writeFileSync(i.config, instanceConfig(i, p));
    startInstance(i);
  }
  for (const i of instances) await waitReady(`http://127.0.0.1:${i.port}/readyz`, 120_000);
  await waitReady(`http://127.0.0.1:${httpPort}/readyz`, 30_000);
  // The CLI's own data dir and no audit log: it never writes into a serving instance's audit chain.
  const cliConfig = path.join(work, 'cli.yaml');
  fs.writeFileSync(cliConfig, `data_dir: ${path.join(work, 'cli')}\naudit:\n  enabled: false\nlogging:\n  level: error\ndatabase:\n  url: ${dbUrl}\n${p.caDir ? `ca:\n  internal:\n    root_cert_file: ${p.caDir}/root.pem\n    intermediate_cert_file: ${p.caDir}/intermediate.pem\n    intermediate_key_file: ${p.caDir}/intermediate.key\n` : ''}`);
  log(`3 instances ready behind haproxy on ${httpPort}; PostgreSQL address ${pgPort}`);

  const ctx = { instances, dbUrl, cliConfig, summary: {} };
  const base = `http://127.0.0.1:${httpPort}`;
  const results = [];

  const phases = [
    {
      name: 'kill-9',
      fault: async () => {
        const victim = instances[1];
        // Slow validations, so the victim most likely dies holding jobs the others must take over.
        rig.httpDelayMs = 3000;
        await sleep(2500);
        const db = new Client({ connectionString: dbUrl });
        await db.connect();
        const pid = victim.child.pid;
        const heldBy = async () =>
          Number((await db.query('SELECT count(*) AS n FROM job_leases l JOIN server_processes p USING (boot_id) WHERE p.pid = $1', [pid])).rows[0].n);
        const held = await heldBy();
        log(`kill -9 ${victim.name} (pid ${pid}) while it holds ${held} job(s)`);
        const killedAt = Date.now();
        victim.child.kill('SIGKILL');
        await new Promise((r) => (victim.exited ? r() : victim.child.once('exit', r)));
        const takeover = (async () => {
          if (held === 0) return;
          const end = Date.now() + 60_000;
          while ((await heldBy().catch(() => 1)) > 0 && Date.now() < end) await sleep(200);
          ctx.summary.takeover = `${held} job(s) of the killed instance taken over ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (lease 30 s, takeover_after 4 s)`;
          log(ctx.summary.takeover);
        })();
        await sleep(3000);
        startInstance(victim);
        await waitReady(`http://127.0.0.1:${victim.port}/readyz`, 60_000);
        log(`${victim.name} restarted and ready`);
        await takeover;
        rig.httpDelayMs = 0;
        await db.end();
      },
    },
    {
      name: 'pg-restart',
      fault: async () => {
        log('pg_ctl restart -m fast (primary)');
        const t = Date.now();
        pgTool('pg_ctl', ['-D', primaryDir, '-l', path.join(primaryDir, 'server.log'), '-w', '-m', 'fast', 'restart']);
        log(`primary back after ${Date.now() - t} ms`);
      },
    },
    {
      name: 'failover',
      fault: async () => {
        log('primary stops; standby promoted; haproxy PostgreSQL address moved to it');
        const t = Date.now();
        pgTool('pg_ctl', ['-D', primaryDir, '-w', '-m', 'fast', 'stop']);
        pgTool('pg_ctl', ['-D', standbyDir, '-w', 'promote']);
        await haproxyCommand(socket, 'set server postgres/standby state ready');
        await haproxyCommand(socket, 'set server postgres/primary state maint');
        await haproxyCommand(socket, 'shutdown sessions server postgres/primary');
        log(`writes go to the promoted standby after ${Date.now() - t} ms`);
      },
    },
  ];

  const clients = [];
  for (let c = 0; c < CLIENTS; c++) clients.push(new LoadClient(base, rig, c));
  const setupStats = new Stats();
  for (const c of clients) await c.init(setupStats);

  for (const phase of phases) {
    const stats = new Stats();
    stats.created.push(...setupStats.created.splice(0));
    let stop = false;
    const runs = clients.map((c) => c.run(phase.name, stats, () => stop));
    let loadError;
    Promise.all(runs).catch((e) => (loadError = e));
    await sleep((PHASE_SECONDS * 1000) / 3);
    await phase.fault();
    await sleep((PHASE_SECONDS * 2000) / 3);
    stop = true;
    await Promise.allSettled(runs);
    const problems = loadError ? [`load: ${loadError.message}`] : [];
    problems.push(...(await checks(phase.name, ctx, stats)));
    const fiveHundreds = [...stats.http5xx.entries()].map(([s, n]) => `${s || 'conn'}:${n}`).join(' ') || 'none';
    results.push({ phase: phase.name, completed: stats.completed, failed: stats.failed, retriedOk: stats.retriedOk, fiveHundreds, problems });
    log(`phase ${phase.name}: ${stats.completed} flows completed, ${stats.failed} failed (${stats.retriedOk} retried successfully); 5xx/connection errors seen and retried: ${fiveHundreds}; valid orders so far ${ctx.summary.valid}`);
    for (const f of stats.failures.slice(0, 5)) log(`  failed flow: ${f}`);
    for (const pr of problems) log(`  PROBLEM: ${pr}`);
  }

  console.log('\nphase        completed  failed  retried-ok  5xx/conn (retried)');
  for (const r of results) console.log(`${r.phase.padEnd(12)} ${String(r.completed).padStart(9)} ${String(r.failed).padStart(7)} ${String(r.retriedOk).padStart(11)}  ${r.fiveHundreds}`);
  if (ctx.summary.takeover) console.log(`lease takeover: ${ctx.summary.takeover}`);
  console.log(`database errors caught only by the process-level handler (logged, survived): ${ctx.summary.lastResort}`);
  const failedPhases = results.filter((r) => r.problems.length > 0);
  await rig.stop();
  if (failedPhases.length > 0) {
    for (const i of instances) {
      console.log(`--- last lines of ${i.name}.log`);
      console.log(fs.existsSync(i.logFile) ? fs.readFileSync(i.logFile, 'utf8').split('\n').slice(-15).join('\n') : '(none)');
    }
    throw new Error(`fleet test failed in: ${failedPhases.map((r) => r.phase).join(', ')}`);
  }
  log('fleet test passed');
}

let exitCode = 0;
const deadline = setTimeout(() => {
  console.error('fleet: over the time limit (FLEET_TIMEOUT_SECONDS)');
  cleanup();
  process.exit(1);
}, Number(process.env.FLEET_TIMEOUT_SECONDS ?? 600) * 1000);
deadline.unref();
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
process.on('SIGTERM', () => {
  cleanup();
  process.exit(143);
});
main()
  .catch((e) => {
    console.error(`fleet: ${e.stack ?? e}`);
    exitCode = 1;
  })
  .finally(() => {
    cleanup();
    process.exit(exitCode);
  });
