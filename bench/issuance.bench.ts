import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { x509 } from '../src/ca/crypto';
import { freeLocalPort } from '../src/db/free-port';
import { ChallengeRig } from './support/challenge-rig';
import { RawAcme, testAccountKey, type TestKey } from './support/raw-acme';

/**
 * Complete issuance flows against a running server (the built binary on an embedded PostgreSQL):
 * new order, fetch authorization, answer http-01 from memory, poll until ready, finalize, download.
 * Prints flows/s and p50/p95/p99 latency per request type at concurrency 1, 8 and 32.
 * Run: npm run bench:issuance   (BENCH_FLOWS=40 flows per client by default scale)
 */
type Timings = Map<string, number[]>;

let shed = 0;

/** Times one request; a 503 is retried after its Retry-After, as ACME clients do (and counted). */
async function timed<T extends { status: number; headers: Headers }>(t: Timings, name: string, fn: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  try {
    for (;;) {
      const r = await fn();
      if (r.status !== 503) return r;
      shed++;
      await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after') ?? 1)));
    }
  } finally {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!t.has(name)) t.set(name, []);
    t.get(name)!.push(ms);
  }
}

async function csrFor(name: string): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  return Buffer.from(csr.rawData).toString('base64url');
}

async function flow(acme: RawAcme, rig: ChallengeRig, key: TestKey, kid: string, thumbprint: string, name: string, t: Timings) {
  const order = await timed(t, 'newOrder', () => acme.post(acme.directory.newOrder, { identifiers: [{ type: 'dns', value: name }] }, key, { kid }));
  const orderUrl = order.headers.get('location')!;
  const authz = await timed(t, 'authz', () => acme.post(order.body.authorizations[0], '', key, { kid }));
  const ch = authz.body.challenges.find((c: { type: string }) => c.type === 'http-01');
  rig.http.set(ch.token, `${ch.token}.${thumbprint}`);
  await timed(t, 'challenge', () => acme.post(ch.url, {}, key, { kid }));
  let status = '';
  while (status !== 'ready') {
    await new Promise((r) => setTimeout(r, 25));
    status = (await timed(t, 'pollOrder', () => acme.post(orderUrl, '', key, { kid }))).body.status;
    if (status === 'invalid') throw new Error(`order for ${name} became invalid`);
  }
  const csr = await csrFor(name);
  let fin = (await timed(t, 'finalize', () => acme.post(order.body.finalize, { csr }, key, { kid }))).body;
  while (fin.status !== 'valid') {
    await new Promise((r) => setTimeout(r, 25));
    fin = (await timed(t, 'pollOrder', () => acme.post(orderUrl, '', key, { kid }))).body;
  }
  await timed(t, 'certificate', () => acme.post(fin.certificate, '', key, { kid }));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
  const rig = await new ChallengeRig().start();
  const dir = mkdtempSync(join(tmpdir(), 'certledger-bench-issuance-'));
  chmodSync(dir, 0o755);
  const port = await freeLocalPort();
  writeFileSync(join(dir, 'c.yaml'), `data_dir: ${dir}/data\nserver:\n  listen: 127.0.0.1:${port}\n  workers: ${process.env.BENCH_WORKERS ?? 1}\nlogging:\n  level: warn\nworkers:\n  concurrency: 16\ndatabase:\n  pool_max: ${process.env.BENCH_POOL_MAX ?? 20}\n${rig.validationYaml()}\n`);
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'certledger.js'), '-c', join(dir, 'c.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (await fetch(`${base}/livez`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const acme = await new RawAcme(base).init();
  const perClient = Number(process.env.BENCH_FLOWS ?? 10);
  for (const concurrency of [1, 8, 32]) {
    const t: Timings = new Map();
    const clients = await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const key = await testAccountKey('ES256');
        const created = await timed(new Map(), 'newAccount', () => acme.post(acme.directory.newAccount, { termsOfServiceAgreed: true }, key));
        return { key, kid: created.headers.get('location')!, thumbprint: await calculateJwkThumbprint(key.jwk, 'sha256') };
      }),
    );
    const flows = concurrency === 1 ? perClient * 4 : perClient;
    const start = process.hrtime.bigint();
    await Promise.all(
      clients.map(async (c, ci) => {
        for (let i = 0; i < flows; i++) await flow(acme, rig, c.key, c.kid, c.thumbprint, flowName(ci, i, concurrency), t);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const total = clients.length * flows;
    console.log(`\nconcurrency ${concurrency}: ${total} flows in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(1)} flows/s (${shed} responses were 503 + Retry-After and retried)`);
    shed = 0;
    for (const [name, xs] of t) {
      console.log(`  ${name.padEnd(12)} n=${String(xs.length).padStart(5)}  p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms`);
    }
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await rig.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** A fresh name per flow, so no authorization is reused. */
function flowName(client: number, i: number, concurrency: number): string {
  return `f${i}.c${client}.n${concurrency}.bench.test`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
