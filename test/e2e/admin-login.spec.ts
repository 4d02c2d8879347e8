import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { dataDirectory } from '../support/data-dir';
import { type ServerProcess, startServer } from '../support/server-process';

const SECRET = 'admin-login-test-token-secret-of-32-characters-or-more';

/** Admin login: counted atomically per (username, address), slowed instead of locked, first password in a file. */
describe('admin login', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  const dataDir = dataDirectory('admin-login');

  beforeAll(async () => {
    db = await createTestDatabase('admin_login');
    server = await startServer({
      env: { DATABASE_URL: db.url },
      configYaml: (port) =>
        `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n  trusted_proxies: ["127.0.0.1"]\ndatabase:\n  pool_max: 30\n` +
        `admin:\n  enabled: true\n  token_secret: ${SECRET}\n  login_free_attempts: 3\n  login_delay: 30s\n`,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  const login = async (username: string, password: string, from: string) => {
    const r = await fetch(`${server.baseUrl}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from },
      body: JSON.stringify({ username, password }),
    });
    return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as any };
  };

  function firstPassword(): string {
    const file = join(dataDir, 'admin-password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    return readFileSync(file, 'utf8').trim();
  }

  test('the first admin password is written to a 0600 file named in the log, never printed', async () => {
    const password = firstPassword();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(server.logs()).toContain(join(dataDir, 'admin-password'));
    expect(server.logs()).not.toContain(password);
    expect((await login('admin', password, '192.0.2.50')).status).toBe(200);
  });

  test('20 concurrent wrong logins: only login_free_attempts passwords are checked, and the right password from another address still logs in', async () => {
    const password = firstPassword();
    const results = await Promise.all(Array.from({ length: 20 }, () => login('admin', 'wrong-password', '198.51.100.7')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    const checked = results.filter((r) => r.status === 401);
    const delayed = results.filter((r) => r.status === 429);
    expect(checked).toHaveLength(3);
    expect(delayed).toHaveLength(17);
    expect(delayed[0].body.type).toBe('urn:ietf:params:acme:error:rateLimited');
    expect(Number(delayed[0].retryAfter)).toBeGreaterThan(0);
    expect(Number(delayed[0].retryAfter)).toBeLessThanOrEqual(30);
    // The attacker's address is slowed down, even with the right password…
    expect((await login('admin', password, '198.51.100.7')).status).toBe(429);
    // …but the admin, from anywhere else, is not locked out.
    const ok = await login('admin', password, '192.0.2.51');
    expect(ok.status).toBe(200);
    expect(ok.body.token).toBeTruthy();
  });

  test('an unknown user is answered like a wrong password, and is throttled the same way', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await login('nobody', 'whatever', '198.51.100.8'));
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(results[0].body.detail).toBe('invalid username or password');
  });
});
