import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { x509 } from '../src/ca/crypto';
import { ChallengeRig } from './support/challenge-rig';
import { type MeasuredPostgres, type StatementFigure } from './support/measured-postgres';
import { startCertledgerServer } from './support/certledger-server';
import { findPebble, startPebble } from './support/pebble';
import { treeCpuMs } from './support/process-cpu';
import { RawAcme, testAccountKey, type RawResponse, type TestKey } from './support/raw-acme';

/**
 * Complete issuance flows, the same load against certledger and (when `pebble` is on PATH)
 * Pebble, one after the other in the same run on the same machine: new order, fetch the
 * authorization, answer http-01 from memory, poll until ready, finalize with a fresh P-256 CSR,
 * poll until valid, download the chain and verify it up to the server's root. ES256 accounts.
 *
 * Clients behave like real ACME clients: each keeps the Replay-Nonce of its last response (a
 * newNonce HEAD only when it has none), retries badNonce with the nonce it got, and honours
 * 503/429 Retry-After. All of these retries are counted. Latency is per HTTP request.
 *
 * Per concurrency level (1, 4, 16, 32 clients, each with its own account) it prints flows/s,
 * p50/p99 per request type and overall, errors, the CPU used by the server's whole process tree
 * per flow, and for certledger PostgreSQL transactions and statements per flow; then one
 * markdown table for both servers and the machine.
 *
 * Run: npm run bench:issuance
 *   BENCH_FLOWS=10        flows per level = BENCH_FLOWS x min(concurrency, 4), rounded up to whole flows per client
 *   BENCH_LEVELS=1,4,16,32
 *   BENCH_PEBBLE=0        skip Pebble even when it is installed
 *   BENCH_TLS=1           serve certledger over HTTPS too (Pebble only speaks HTTPS), with a generated certificate
 *   BENCH_WORKERS, BENCH_POOL_MAX   certledger server.workers and database.pool_max
 *   BENCH_PG_SETTLE_MS=11000        pause before reading pg_stat_database (see below)
 *   BENCH_WARMUP=400      flows run at 4 clients before anything is measured (0: none)
 *
 * Both servers get the same warm-up before their idle pause and first level, so every level
 * measures a server in its steady state, as it runs in production: Node compiles hot code
 * (and grows its heap) during roughly the first thousand requests, which would otherwise be
 * charged to whichever level runs first. The warm-up's own figures are printed, not tabled.
 */

const LEVELS = (process.env.BENCH_LEVELS ?? '1,4,16,32').split(',').map(Number);
const FLOWS = Number(process.env.BENCH_FLOWS ?? 10);
const SETTLE_MS = Number(process.env.BENCH_PG_SETTLE_MS ?? 11_000);
const POLL_MS = 25;
const WARMUP_FLOWS = Number(process.env.BENCH_WARMUP ?? 400);
const WARMUP_CLIENTS = 4;

interface Target {
  name: string;
  acme: RawAcme;
  rootPem: string;
  /** Roots of the process trees whose CPU counts as the server's. */
  cpuRoots(): number[];
  /** The database's share of the tree, when it has one: printed beside the total. */
  databaseCpuRoots?(): number[];
  pg?: MeasuredPostgres;
  stop(): Promise<void>;
}

interface Counters {
  timings: Map<string, number[]>;
  retried: { '503': number; '429': number; badNonce: number };
  /** Retried responses by request type and status, e.g. "newOrder 503". */
  retriedBy: Map<string, number>;
  errors: Map<string, number>;
  failedFlows: number;
  firstError?: string;
}

interface BenchClient {
  key: TestKey;
  kid: string;
  thumbprint: string;
  nonce?: string;
}

interface LevelResult {
  target: string;
  concurrency: number;
  flows: number;
  seconds: number;
  counters: Counters;
  cpuMsPerFlow: number;
  /** The part of cpuMsPerFlow that PostgreSQL used. */
  databaseCpuMsPerFlow?: number;
  txPerFlow?: number;
  statementsPerFlow?: number;
  /** The same, less what the idle server uses in as much time. */
  cpuMsPerFlowAboveIdle: number;
  txPerFlowAboveIdle?: number;
  statementsPerFlowAboveIdle?: number;
  topStatements?: StatementFigure[];
  slowestStatements?: StatementFigure[];
  /** PostgreSQL's own planning plus execution time per flow (pg_stat_statements). */
  statementMsPerFlow?: number;
  planMsPerFlow?: number;
}

const newCounters = (): Counters => ({ timings: new Map(), retried: { '503': 0, '429': 0, badNonce: 0 }, retriedBy: new Map(), errors: new Map(), failedFlows: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class RequestError extends Error {}

function countRetry(c: Counters, what: string): void {
  c.retriedBy.set(what, (c.retriedBy.get(what) ?? 0) + 1);
}

function record(c: Counters, name: string, ms: number): void {
  if (!c.timings.has(name)) c.timings.set(name, []);
  c.timings.get(name)!.push(ms);
}

async function timedFetch<T>(c: Counters, name: string, fn: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  try {
    return await fn();
  } finally {
    record(c, name, Number(process.hrtime.bigint() - start) / 1e6);
  }
}

/** A 503 or 429 is counted, then waited out for its Retry-After (1 s without one), as clients do. */
async function shed(c: Counters, name: string, r: { status: number; headers: Headers }): Promise<boolean> {
  if (r.status !== 503 && r.status !== 429) return false;
  c.retried[r.status === 503 ? '503' : '429']++;
  countRetry(c, `${name} ${r.status}`);
  const after = Number(r.headers.get('retry-after'));
  await sleep(1000 * (Number.isFinite(after) && after > 0 ? Math.min(after, 30) : 1));
  return true;
}

/**
 * One signed POST as an ACME client sends it: the saved nonce (else a newNonce HEAD), 503/429
 * retried after Retry-After, badNonce retried with the fresh nonce. Any other 4xx/5xx fails the flow.
 */
async function post(acme: RawAcme, c: Counters, name: string, client: BenchClient, url: string, payload: unknown, expect = [200, 201]): Promise<RawResponse> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (!client.nonce) {
      const r = await timedFetch(c, 'newNonce', () => acme.fetch(acme.directory.newNonce, { method: 'HEAD' }));
      if (await shed(c, 'newNonce', r)) continue;
      client.nonce = r.headers.get('replay-nonce') ?? undefined;
      if (!client.nonce) {
        c.errors.set('newNonce', (c.errors.get('newNonce') ?? 0) + 1);
        throw new RequestError(`newNonce answered ${r.status} without Replay-Nonce`);
      }
    }
    const jws = await acme.sign(url, payload, client.key, { kid: client.kid || undefined, nonce: client.nonce });
    client.nonce = undefined;
    const r = await timedFetch(c, name, () => acme.send(url, jws));
    client.nonce = r.headers.get('replay-nonce') ?? undefined;
    if (await shed(c, name, r)) continue;
    if (r.status === 400 && r.body?.type === 'urn:ietf:params:acme:error:badNonce') {
      c.retried.badNonce++;
      countRetry(c, `${name} badNonce`);
      continue;
    }
    if (!expect.includes(r.status)) {
      c.errors.set(name, (c.errors.get(name) ?? 0) + 1);
      throw new RequestError(`${name} ${url} answered ${r.status}: ${typeof r.body === 'string' ? r.body.slice(0, 200) : JSON.stringify(r.body)}`);
    }
    return r;
  }
  c.errors.set(name, (c.errors.get(name) ?? 0) + 1);
  throw new RequestError(`${name} ${url}: still refused after 20 attempts`);
}

async function csrFor(name: string): Promise<{ csr: string; spki: Buffer }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  return { csr: Buffer.from(csr.rawData).toString('base64url'), spki: Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey)) };
}

/** The chain is leaf first, each certificate signed by the next, the last by the root; the leaf names `name` and holds the CSR's key. */
async function verifyChain(pem: string, name: string, spki: Buffer, root: x509.X509Certificate): Promise<void> {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new RequestError(`certificate for ${name}: no PEM certificate in the response`);
  const chain = blocks.map((b) => new x509.X509Certificate(b));
  const leaf = chain[0];
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san?.names.items.some((n) => n.type === 'dns' && n.value === name)) throw new RequestError(`certificate for ${name}: name missing from subjectAltName`);
  if (!Buffer.from(leaf.publicKey.rawData).equals(spki)) throw new RequestError(`certificate for ${name}: public key is not the CSR's`);
  const now = new Date();
  for (let i = 0; i < chain.length; i++) {
    const issuer = chain[i + 1] ?? root;
    if (i === chain.length - 1 && chain[i].subject === root.subject && Buffer.from(chain[i].rawData).equals(Buffer.from(root.rawData))) break;
    if (!(await chain[i].verify({ publicKey: issuer, date: now }))) throw new RequestError(`certificate for ${name}: chain position ${i} (${chain[i].subject}) is not signed by ${issuer.subject} or not valid now`);
  }
}

async function flow(target: Target, c: Counters, client: BenchClient, rig: ChallengeRig, root: x509.X509Certificate, name: string): Promise<void> {
  const acme = target.acme;
  const order = await post(acme, c, 'newOrder', client, acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, [201]);
  const orderUrl = order.headers.get('location')!;
  const authz = await post(acme, c, 'authz', client, order.body.authorizations[0], '');
  const ch = authz.body.challenges.find((x: { type: string }) => x.type === 'http-01');
  rig.http.set(ch.token, `${ch.token}.${client.thumbprint}`);
  try {
    await post(acme, c, 'challenge', client, ch.url, {});
    let status = '';
    while (status !== 'ready') {
      await sleep(POLL_MS);
      const o = await post(acme, c, 'pollOrder', client, orderUrl, '');
      status = o.body.status;
      if (status === 'invalid') throw new RequestError(`order for ${name} became invalid: ${JSON.stringify(o.body.error ?? o.body)}`);
    }
  } finally {
    rig.http.delete(ch.token);
  }
  const { csr, spki } = await csrFor(name);
  let fin = (await post(acme, c, 'finalize', client, order.body.finalize, { csr })).body;
  while (fin.status !== 'valid') {
    if (fin.status === 'invalid') throw new RequestError(`order for ${name} became invalid at finalization: ${JSON.stringify(fin.error ?? fin)}`);
    await sleep(POLL_MS);
    fin = (await post(acme, c, 'pollOrder', client, orderUrl, '')).body;
  }
  const cert = await post(acme, c, 'certificate', client, fin.certificate, '');
  await verifyChain(String(cert.body), name, spki, root);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function flowsPerClient(concurrency: number): number {
  return Math.max(1, Math.ceil((FLOWS * Math.min(concurrency, 4)) / concurrency));
}

async function createClients(target: Target, n: number): Promise<BenchClient[]> {
  const setup = newCounters();
  return Promise.all(
    Array.from({ length: n }, async () => {
      const key = await testAccountKey('ES256');
      const client: BenchClient = { key, kid: '', thumbprint: await calculateJwkThumbprint(key.jwk, 'sha256') };
      const created = await post(target.acme, setup, 'newAccount', client, target.acme.directory.newAccount, { termsOfServiceAgreed: true });
      client.kid = created.headers.get('location')!;
      return client;
    }),
  );
}

async function runTarget(target: Target, rig: ChallengeRig): Promise<LevelResult[]> {
  const root = new x509.X509Certificate(target.rootPem);
  // Accounts for every level first, so their creation is in no level's figures.
  const clientsByLevel = new Map<number, BenchClient[]>();
  for (const level of LEVELS) clientsByLevel.set(level, await createClients(target, level));
  if (WARMUP_FLOWS > 0) await warmUp(target, rig, root);

  // The idle server's own background work (subscription and job polling): measured over one
  // pause before the first level, so each level can also be shown above it.
  await sleep(SETTLE_MS);
  const idle = { seconds: SETTLE_MS / 1000, cpuMs: 0, tx: 0, statements: 0 };
  let txMark = 0;
  const idleCpu0 = treeCpuMs(target.cpuRoots());
  if (target.pg) {
    // pg_stat_database counters reach the statistics system when a backend goes idle (at most
    // once a second, and within 10 s for an idle backend). So: read them only after a quiet
    // pause, and subtract what the idle server's own background work commits during that pause.
    await target.pg.resetStatements();
    const a = await target.pg.transactions();
    await sleep(SETTLE_MS);
    txMark = await target.pg.transactions();
    idle.tx = (txMark - a) / idle.seconds;
    const idleStatements = await target.pg.statements();
    idle.statements = idleStatements.calls / idle.seconds;
    console.log(`\nMost frequent statements of the idle ${target.name} (calls per second):`);
    for (const s of idleStatements.top.slice(0, 8)) console.log(`  ${(s.calls / idle.seconds).toFixed(2).padStart(7)}  ${s.query.replace(/\s+/g, ' ').slice(0, 110)}`);
  } else {
    await sleep(SETTLE_MS);
  }
  idle.cpuMs = (treeCpuMs(target.cpuRoots()) - idleCpu0) / idle.seconds;
  console.log(
    `\n${target.name} idle, per second: ${idle.cpuMs.toFixed(1)} CPU ms` + (target.pg ? `, ${idle.tx.toFixed(1)} PostgreSQL tx, ${idle.statements.toFixed(1)} statements` : ''),
  );

  const results: LevelResult[] = [];
  let n = 0;
  for (const concurrency of LEVELS) {
    const clients = clientsByLevel.get(concurrency)!;
    const perClient = flowsPerClient(concurrency);
    const c = newCounters();
    if (target.pg) await target.pg.resetStatements();
    const cpuBefore = treeCpuMs(target.cpuRoots());
    const dbCpuBefore = target.databaseCpuRoots ? treeCpuMs(target.databaseCpuRoots()) : 0;
    const start = process.hrtime.bigint();
    await runFlows(target, rig, root, c, clients, perClient, `n${concurrency}.r${n}`);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuMs = treeCpuMs(target.cpuRoots()) - cpuBefore;
    const dbCpuMs = target.databaseCpuRoots ? treeCpuMs(target.databaseCpuRoots()) - dbCpuBefore : undefined;
    const flows = clients.length * perClient;
    const aboveIdle = (total: number, perSecond: number) => (total - perSecond * seconds) / flows;
    const r: LevelResult = { target: target.name, concurrency, flows, seconds, counters: c, cpuMsPerFlow: cpuMs / flows, cpuMsPerFlowAboveIdle: aboveIdle(cpuMs, idle.cpuMs) };
    if (dbCpuMs !== undefined) r.databaseCpuMsPerFlow = dbCpuMs / flows;
    if (target.pg) {
      const st = await target.pg.statements();
      r.statementsPerFlow = st.calls / flows;
      r.statementsPerFlowAboveIdle = aboveIdle(st.calls, idle.statements);
      r.topStatements = st.top;
      r.slowestStatements = st.slowest;
      r.statementMsPerFlow = st.ms / flows;
      r.planMsPerFlow = st.planMs / flows;
      await sleep(SETTLE_MS);
      const txNow = await target.pg.transactions();
      const tx = txNow - txMark - idle.tx * (SETTLE_MS / 1000);
      r.txPerFlow = tx / flows;
      r.txPerFlowAboveIdle = aboveIdle(tx, idle.tx);
      txMark = txNow;
    }
    n++;
    printLevel(r);
    results.push(r);
  }
  return results;
}

/** Every client runs `perClient` flows in turn, all clients at once; failures are counted in `c`. */
async function runFlows(target: Target, rig: ChallengeRig, root: x509.X509Certificate, c: Counters, clients: BenchClient[], perClient: number, tag: string): Promise<void> {
  await Promise.all(
    clients.map(async (client, ci) => {
      for (let i = 0; i < perClient; i++) {
        try {
          await flow(target, c, client, rig, root, `f${i}.c${ci}.${tag}.bench.test`);
        } catch (e) {
          c.failedFlows++;
          c.firstError ??= e instanceof Error ? e.message : String(e);
          if (!(e instanceof RequestError)) c.errors.set('client', (c.errors.get('client') ?? 0) + 1);
        }
      }
    }),
  );
}

/** Flows that count in no figure, so the levels measure a warmed-up server (see the header). */
async function warmUp(target: Target, rig: ChallengeRig, root: x509.X509Certificate): Promise<void> {
  const clients = await createClients(target, WARMUP_CLIENTS);
  const perClient = Math.ceil(WARMUP_FLOWS / WARMUP_CLIENTS);
  const c = newCounters();
  const start = process.hrtime.bigint();
  await runFlows(target, rig, root, c, clients, perClient, 'warmup');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const flows = perClient * WARMUP_CLIENTS;
  console.log(`\n${target.name} warm-up (not counted): ${flows} flows at ${WARMUP_CLIENTS} clients in ${seconds.toFixed(1)} s = ${(flows / seconds).toFixed(2)} flows/s, ${c.failedFlows} failed`);
  if (c.firstError) console.log(`  first error: ${c.firstError}`);
}

function allTimings(c: Counters): number[] {
  return [...c.timings.values()].flat();
}

function printLevel(r: LevelResult): void {
  const c = r.counters;
  const errors = [...c.errors.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\n${r.target}, concurrency ${r.concurrency}: ${r.flows} flows in ${r.seconds.toFixed(1)} s = ${(r.flows / r.seconds).toFixed(2)} flows/s; ` +
      `${c.failedFlows} failed flows, ${errors} error responses${errors ? ` (${[...c.errors].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}; ` +
      `retried: ${c.retried['503']}x 503, ${c.retried['429']}x 429, ${c.retried.badNonce}x badNonce`,
  );
  if (c.retriedBy.size > 0) console.log(`  retried: ${[...c.retriedBy].map(([k, v]) => `${k} x${v}`).join(', ')}`);
  if (c.firstError) console.log(`  first error: ${c.firstError}`);
  const rows: [string, number[]][] = [...c.timings, ['all', allTimings(c)]];
  for (const [name, xs] of rows) {
    if (xs.length === 0) continue;
    console.log(`  ${name.padEnd(12)} n=${String(xs.length).padStart(6)}  p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms  p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms`);
  }
  const pgLine =
    r.txPerFlow !== undefined
      ? `; PostgreSQL ${r.txPerFlow.toFixed(1)} tx/flow (${r.txPerFlowAboveIdle!.toFixed(1)} above idle), ${r.statementsPerFlow!.toFixed(1)} statements/flow (${r.statementsPerFlowAboveIdle!.toFixed(1)} above idle)`
      : '';
  const dbShare = r.databaseCpuMsPerFlow !== undefined ? `, of which PostgreSQL ${r.databaseCpuMsPerFlow.toFixed(1)}` : '';
  console.log(`  server CPU ${r.cpuMsPerFlow.toFixed(1)} ms/flow (${r.cpuMsPerFlowAboveIdle.toFixed(1)} above idle; whole process tree${r.txPerFlow !== undefined ? ', PostgreSQL included' : ''}${dbShare})${pgLine}`);
}

function machine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  const memKb = Number(/^MemTotal:\s*(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return `${availableParallelism()} CPUs (nproc), ${model}, ${(memKb / 1048576).toFixed(1)} GiB memory, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} at the end, Node ${process.version}`;
}

const both = (total: number | undefined, aboveIdle: number | undefined) => (total === undefined ? 'n/a' : `${total.toFixed(1)} (${aboveIdle!.toFixed(1)})`);

function printTable(results: LevelResult[]): void {
  console.log('\n## Issuance benchmark\n');
  console.log(`Machine: ${machine()}. Flows per level: ${LEVELS.map((l) => `${l}: ${l * flowsPerClient(l)}`).join(', ')}, after a warm-up of ${WARMUP_FLOWS > 0 ? `${Math.ceil(WARMUP_FLOWS / WARMUP_CLIENTS) * WARMUP_CLIENTS} flows at ${WARMUP_CLIENTS} clients` : 'none'}.\n`);
  console.log('| server | clients | flows/s | p50 ms | p99 ms | CPU ms/flow | tx/flow | statements/flow | failed flows / error responses | retried 503/429/badNonce |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const xs = allTimings(r.counters);
    const errors = [...r.counters.errors.values()].reduce((a, b) => a + b, 0);
    const q = r.counters.retried;
    console.log(
      `| ${r.target} | ${r.concurrency} | ${(r.flows / r.seconds).toFixed(2)} | ${xs.length ? pct(xs, 50).toFixed(1) : '-'} | ${xs.length ? pct(xs, 99).toFixed(1) : '-'} | ${both(r.cpuMsPerFlow, r.cpuMsPerFlowAboveIdle)} | ` +
        `${both(r.txPerFlow, r.txPerFlowAboveIdle)} | ${both(r.statementsPerFlow, r.statementsPerFlowAboveIdle)} | ${r.counters.failedFlows}/${errors} | ${q['503']}/${q['429']}/${q.badNonce} |`,
    );
  }
  console.log('\nIn parentheses: above idle, i.e. less what the idle server uses in as much time (background polling); measured once before the first level.');
  console.log('p50/p99: every HTTP request of the flows (newNonce, newOrder, authz, challenge, pollOrder, finalize, certificate). Pebble has no database (n/a).');
  const last = results.filter((r) => r.topStatements).at(-1);
  if (last?.topStatements) {
    console.log(`\nMost frequent statements of ${last.target} at ${last.concurrency} clients (calls per flow):`);
    for (const s of last.topStatements) console.log(`  ${(s.calls / last.flows).toFixed(2).padStart(7)}  ${s.query.replace(/\s+/g, ' ').slice(0, 110)}`);
    console.log(`\nStatements taking most of PostgreSQL's time at ${last.concurrency} clients (${last.statementMsPerFlow!.toFixed(1)} ms per flow in all, of which planning ${last.planMsPerFlow!.toFixed(1)}; ms per flow, planning ms per flow, calls per flow):`);
    for (const s of last.slowestStatements!) {
      console.log(`  ${(s.ms / last.flows).toFixed(2).padStart(7)} ${(s.planMs / last.flows).toFixed(2).padStart(6)} ${(s.calls / last.flows).toFixed(2).padStart(6)}  ${s.query.replace(/\s+/g, ' ').slice(0, 95)}`);
    }
  }
}

async function startCertledger(rig: ChallengeRig, dir: string): Promise<Target> {
  const server = await startCertledgerServer(dir, {
    tls: process.env.BENCH_TLS === '1',
    workers: process.env.BENCH_WORKERS,
    poolMax: process.env.BENCH_POOL_MAX,
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under the load.
    nodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    extraYaml:
      // The benchmark measures issuance from one loopback client, not the rate limits.
      `rate_limits:\n  allow_addresses: ["127.0.0.1", "::1"]\n${rig.validationYaml()}`,
  });
  return {
    name: `certledger (${server.tls ? 'https' : 'http'})`,
    acme: await new RawAcme(server.baseUrl, { dispatcher: server.dispatcher }).init(),
    rootPem: readFileSync(join(server.dataDir, 'ca', 'root.pem'), 'utf8'),
    pg: server.pg,
    cpuRoots: server.cpuRoots,
    databaseCpuRoots: server.databaseCpuRoots,
    stop: server.stop,
  };
}

async function main() {
  const rig = await new ChallengeRig().start();
  const dir = mkdtempSync(join(tmpdir(), 'certledger-bench-issuance-'));
  chmodSync(dir, 0o755);
  const results: LevelResult[] = [];
  try {
    console.log(`levels ${LEVELS.join(', ')} clients; flows per level ${LEVELS.map((l) => l * flowsPerClient(l)).join(', ')} (BENCH_FLOWS=${FLOWS})`);
    const certledger = await startCertledger(rig, dir);
    try {
      results.push(...(await runTarget(certledger, rig)));
    } finally {
      await certledger.stop();
    }

    const pebbleBin = process.env.BENCH_PEBBLE === '0' ? undefined : findPebble();
    if (!pebbleBin) {
      console.log(
        process.env.BENCH_PEBBLE === '0'
          ? '\nPebble skipped (BENCH_PEBBLE=0).'
          : '\nPebble not found on PATH: certledger ran alone. To compare, install it (Debian/Ubuntu: apt-get install -y pebble) or set PEBBLE_BIN, and run again.',
      );
    } else {
      const pebble = await startPebble(pebbleBin, dir, rig).catch((e: Error) => {
        console.log(`\nPebble (${pebbleBin}) could not be started, certledger ran alone: ${e.message}`);
        return undefined;
      });
      if (pebble) {
        console.log(`\nPebble: ${pebbleBin} (pid ${pebble.pid}), PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0, PEBBLE_VA_ALWAYS_VALID unset; log in ${pebble.logFile}`);
        const target: Target = {
          name: 'Pebble (https)',
          acme: await new RawAcme(pebble.baseUrl, { directoryUrl: pebble.directoryUrl, dispatcher: pebble.dispatcher }).init(),
          rootPem: pebble.rootPem,
          cpuRoots: () => [pebble.pid],
          stop: pebble.stop,
        };
        const hitsBefore = [...rig.httpHits.values()].reduce((a, b) => a + b, 0);
        try {
          results.push(...(await runTarget(target, rig)));
        } finally {
          await target.stop();
        }
        const hits = [...rig.httpHits.values()].reduce((a, b) => a + b, 0) - hitsBefore;
        const flows = results.filter((r) => r.target === target.name).reduce((a, r) => a + r.flows, 0);
        console.log(`\nPebble fetched ${hits} http-01 responses from the bench's responder for ${flows} flows: validation really happened.`);
      }
    }
    printTable(results);
  } finally {
    await rig.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
