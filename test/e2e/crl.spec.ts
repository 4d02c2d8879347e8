import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as acme from 'acme-client';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runCli, type ServerProcess, startServer, writeConfig } from '../support/server-process';
import { dataDirectory } from '../support/data-dir';

/** The CRL: built from revocation events, served as DER at the URL certificates carry, checked with openssl. */
describe('CRL', () => {
  let db: TestDatabase;
  let rig: ChallengeRig;
  let server: ServerProcess;
  let dataDir: string;
  const work = mkdtempSync(join(tmpdir(), 'certledger-crl-'));

  beforeAll(async () => {
    db = await createTestDatabase('crl');
    rig = await new ChallengeRig().start();
    dataDir = dataDirectory('crl-data');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\ncrl:\n  enabled: true\n  check_interval: 500ms\n  refresh: 1h\n${rig.validationYaml()}\n`,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rig?.stop();
    await db?.drop();
  });

  async function fetchCrl(): Promise<string> {
    // Until the elected instance has built the first CRL the server answers 503 with Retry-After.
    let r = await fetch(`${server.baseUrl}/crl`);
    for (let i = 0; i < 100 && r.status === 503; i++) {
      expect(r.headers.get('retry-after')).toBe('5');
      await new Promise((res) => setTimeout(res, 100));
      r = await fetch(`${server.baseUrl}/crl`);
    }
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pkix-crl');
    const file = join(work, `crl-${Date.now()}.der`);
    writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    return file;
  }

  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  test('revocations appear in a signed CRL whose number increases; certificates point at it', async () => {
    const client = new acme.Client({ directoryUrl: `${server.baseUrl}/directory`, accountKey: await acme.crypto.createPrivateEcdsaKey() });
    await client.createAccount({ termsOfServiceAgreed: true });
    const issue = async (name: string) => {
      const [, csr] = await acme.crypto.createCsr({ commonName: name }, await acme.crypto.createPrivateEcdsaKey());
      return client.auto({
        csr,
        termsOfServiceAgreed: true,
        skipChallengeVerification: true,
        challengePriority: ['http-01'],
        challengeCreateFn: async (_a: unknown, c: { token: string }, k: string) => void rig.http.set(c.token, k),
        challengeRemoveFn: async () => undefined,
      } as never);
    };
    const pem = await issue('crl1.crl.test');
    const leafFile = join(work, 'leaf.pem');
    writeFileSync(leafFile, pem.split(/(?<=-----END CERTIFICATE-----)/)[0].trim() + '\n');
    expect(openssl('x509', '-in', leafFile, '-noout', '-text')).toContain(`URI:${server.baseUrl}/crl`);
    const serial = openssl('x509', '-in', leafFile, '-noout', '-serial').trim().split('=')[1].toUpperCase();

    const interFile = join(work, 'intermediate.pem');
    writeFileSync(interFile, execFileSync('cat', [join(dataDir, 'ca', 'intermediate.pem')]));
    const first = await fetchCrl();
    const firstText = openssl('crl', '-in', first, '-inform', 'DER', '-noout', '-text');
    const firstNumber = Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(firstText)?.[1]);
    expect(firstNumber).toBeGreaterThanOrEqual(1);
    expect(firstText).not.toContain(serial);

    await client.revokeCertificate(pem, { reason: 1 });
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = openssl('crl', '-in', await fetchCrl(), '-inform', 'DER', '-noout', '-text');
      if (text.includes(serial)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain(`Serial Number: ${serial}`);
    expect(text).toContain('Key Compromise');
    expect(text).toMatch(/Next Update: /);
    const number = Number(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)?.[1]);
    expect(number).toBeGreaterThan(firstNumber);
    const verified = spawnSync('openssl', ['crl', '-in', await fetchCrl(), '-inform', 'DER', '-CAfile', interFile, '-noout'], { encoding: 'utf8' });
    expect(verified.stderr + verified.stdout).toContain('verify OK');
    expect(verified.status).toBe(0);

    // `crl rebuild` produces the next number at once.
    const cfg = writeConfig(`data_dir: ${dataDir}\ncrl:\n  enabled: true\n`);
    const r = runCli(['-c', cfg, 'crl', 'rebuild'], { DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`CRL number ${number + 1} built`);

    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as { checks: { crl: { status: string } } };
    expect(health.checks.crl.status).toBe('ok');
  }, 90_000);

  test('crl rebuild is refused when CRLs are disabled', () => {
    const r = runCli(['-c', writeConfig(`data_dir: ${dataDir}\n`), 'crl', 'rebuild'], { DATABASE_URL: db.url });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CRLs are disabled');
  });

  test('ca test signs and verifies a chain', () => {
    const r = runCli(['-c', writeConfig(`data_dir: ${dataDir}\n`), 'ca', 'test']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ok\s+leaf signed by the intermediate/);
  });
});
