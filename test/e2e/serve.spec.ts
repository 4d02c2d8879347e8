import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { startServer } from '../support/server-process';
import { dataDirectory } from '../support/data-dir';


describe('certledger serve', () => {
  test('starts on the embedded PostgreSQL with no database configured, answers health, and stops cleanly on SIGTERM', async () => {
    const dataDir = dataDirectory();
    const server = await startServer({ configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n` });
    const live = await fetch(`${server.baseUrl}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ alive: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(live.headers.get('cache-control')).toBe('no-store');
    const ready = await fetch(`${server.baseUrl}/readyz`);
    expect(await ready.json()).toEqual({ ready: true });
    const health = (await (await fetch(`${server.baseUrl}/healthz`)).json()) as { checks: { database: { status: string } } };
    expect(health.checks.database.status).toBe('ok');
    expect(readdirSync(join(dataDir, 'postgres', 'pg'))).toContain('PG_VERSION');
    expect(await server.stop()).toBe(0);
    expect(server.logs()).toContain('no database.url configured: starting the embedded PostgreSQL');
  }, 120_000);

  test('restarts on the same embedded cluster after kill -9 (the orphaned database is stopped first)', async () => {
    const dataDir = dataDirectory();
    const yaml = (port: number) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n`;
    const first = await startServer({ configYaml: yaml });
    first.signal('SIGKILL');
    await first.exited;
    const second = await startServer({ configYaml: yaml });
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
    expect(await second.stop()).toBe(0);
  }, 120_000);

  test('with DATABASE_URL it uses that database and exits 0 on SIGTERM', async () => {
    const db = await createTestDatabase('serve');
    const server = await startServer({ env: { DATABASE_URL: db.url }, configYaml: (port) => `server:\n  listen: 127.0.0.1:${port}\n` });
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    await db.drop();
  }, 60_000);
});
