import { calculateJwkThumbprint } from 'jose';
import { ChallengeRig } from '../../bench/support/challenge-rig';
import { testAccountKey, type TestKey } from '../../bench/support/raw-acme';
import { type AcmeServices, createAcmeServices } from '../../src/runtime/acme-services';
import { NewAccountHandler, NewAccountCommand } from '../../src/commands/account.commands';
import type { AcmeDeps } from '../../src/commands/acme-deps';
import { type Config, validateConfigObject } from '../../src/config';
import { createLogger } from '../../src/ops/logger';
import { Metrics } from '../../src/ops/metrics';
import { boot, bootSettings } from '../../src/runtime/boot';
import type { Runtime } from '../../src/runtime/runtime';
import { dataDirectory } from './data-dir';
import { createTestDatabase, type TestDatabase } from './database';

/**
 * The ACME application as `serve` assembles it (configuration → boot → createAcmeServices), on a
 * fresh database, without the HTTP server: tests call handlers, workers and the JWS verifier
 * directly. Validation points at a loopback challenge rig. Background workers are not started, so
 * a test decides when a job runs; the read-model projections do run.
 */
export interface AcmeHarness {
  db: TestDatabase;
  rig: ChallengeRig;
  config: Config;
  rt: Runtime;
  services: AcmeServices;
  deps: AcmeDeps;
  /** Waits until every read model has caught up with what was appended so far. */
  settled(): Promise<void>;
  /** A new account with a fresh key, created through the newAccount handler. */
  account(contact?: string[]): Promise<{ accountId: string; key: TestKey; thumbprint: string }>;
}

export function useAcmeHarness(label: string, config: Record<string, unknown> = {}): AcmeHarness {
  const h = {} as AcmeHarness;
  beforeAll(async () => {
    h.db = await createTestDatabase(label);
    h.rig = await new ChallengeRig().start();
    const dataDir = dataDirectory(label);
    const { validation, acme, ...rest } = config as { validation?: object; acme?: object };
    h.config = validateConfigObject(
      {
        data_dir: dataDir,
        database: { url: h.db.url },
        server: { external_url: 'http://ca.test' },
        audit: { enabled: false },
        logging: { level: 'error' },
        acme: { ...acme },
        validation: {
          resolvers: [`127.0.0.1:${h.rig.dnsPort}`],
          http01_port: h.rig.httpPort,
          tls_alpn01_port: h.rig.tlsPort,
          allow_private_networks: true,
          timeout: '5s',
          attempts: 1,
          caa: false,
          ...validation,
        },
        ...rest,
      },
      {},
      dataDir,
    );
    h.rt = await boot(bootSettings(h.config), createLogger({ level: 'error', format: 'json' }));
    h.services = await createAcmeServices(h.config, h.rt, new Metrics());
    // The queue holds the safety-net jobs; no worker is registered on it.
    await h.rt.jobs.start();
    h.deps = h.services.deps;
    h.rt.projections.start();
    h.settled = async () => {
      await h.rt.projections.waitFor(await h.rt.store.headPosition(), 30_000);
    };
    h.account = async (contact = []) => {
      const key = await testAccountKey();
      const thumbprint = await calculateJwkThumbprint(key.jwk, 'sha256');
      const r = await new NewAccountHandler(h.deps).execute(new NewAccountCommand(key.jwk, thumbprint, { contact, termsOfServiceAgreed: true }, {}));
      return { accountId: r.accountId, key, thumbprint };
    };
  }, 120_000);
  afterAll(async () => {
    await h.rt?.jobs.stop(0);
    await h.rt?.close();
    await h.rig?.stop();
    await h.db?.drop();
  });
  return h;
}
