import type { Pool } from 'pg';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { RawAcme, testAccountKey, type TestKey } from '../../bench/support/raw-acme';
import { dataDirectory } from './data-dir';
import { createTestDatabase, type TestDatabase, testPool } from './database';
import { type ServerProcess, startServer } from './server-process';

/** A built server on a fresh database, with a challenge rig, a raw ACME client and its account. */
export interface AcmeServerFixture {
  db: TestDatabase;
  rig: ChallengeRig;
  server: ServerProcess;
  acme: RawAcme;
  key: TestKey;
  kid: string;
  pool: Pool;
}

/**
 * Starts the fixture before the file's tests and stops it after them. `config` adds YAML after
 * the listen address; it gets the rig, whose validation settings it must include.
 */
export function useAcmeServer(label: string, config: (rig: ChallengeRig) => string): AcmeServerFixture {
  const fx = {} as AcmeServerFixture;
  beforeAll(async () => {
    fx.db = await createTestDatabase(label.replace(/-/g, '_'));
    fx.rig = await new ChallengeRig().start();
    const dataDir = dataDirectory(label);
    fx.server = await startServer({
      env: { DATABASE_URL: fx.db.url },
      configYaml: (port) => `data_dir: ${dataDir}\nserver:\n  listen: 127.0.0.1:${port}\n${config(fx.rig)}\n`,
    });
    fx.acme = await new RawAcme(fx.server.baseUrl).init();
    fx.key = await testAccountKey();
    fx.kid = await fx.acme.account(fx.key);
    fx.pool = testPool(fx.db.url, 2);
  }, 120_000);
  afterAll(async () => {
    await fx.pool?.end();
    await fx.server?.stop();
    await fx.rig?.stop();
    await fx.db?.drop();
  });
  return fx;
}
