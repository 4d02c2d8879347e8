import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROJECTIONS } from '../../projections';
import type { AcmeDeps } from '../../src/commands/acme-deps';
import { type Config, loadConfig } from '../../src/config';
import { event } from '../../src/domain/events';
import { streams } from '../../src/domain/streams';
import { JobQueue } from '../../src/jobs/job-queue';
import { periodicTasks } from '../../src/runtime/periodic-tasks';
import { Scheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/ops/logger';
import { reloadConfig } from '../../src/ops/reload';
import { ProjectionRunner } from '../../src/projection/projection-runner';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';
import { storeOnlyDeps } from '../support/store-only-deps';

const DAY = 86_400_000;
const T0 = new Date('2030-01-01T00:00:00Z');

/**
 * SIGHUP reaches the running scheduler: the expiration-warnings task of a server started with
 * warnings off and a 1h interval warns within moments once the file turns them on with a short
 * interval and is reloaded, at the thresholds of the reloaded file.
 */
describe('configuration reload and the expiration warnings task', () => {
  let fx: PgStoreFixture;
  let deps: AcmeDeps;
  let runner: ProjectionRunner;
  let queue: JobQueue;
  const dir = mkdtempSync(join(tmpdir(), 'certledger-reload-'));
  const file = join(dir, 'certledger.yaml');
  const log = createLogger({ level: 'silent', format: 'json' });

  beforeAll(async () => {
    fx = await createPgStore('reload');
    queue = new JobQueue({ pool: fx.pool, leaseMs: 5000, emailRetryLimit: 1, emailRetryDelayMs: 1000 });
    runner = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: ALL_PROJECTIONS, pollIntervalMs: 50 });
    await runner.prepare();
    deps = storeOnlyDeps(fx, queue, () => T0, 'test');
    runner.start();
  }, 60_000);

  afterAll(async () => {
    await runner.stop();
    await fx.dispose();
  });

  async function warnedThresholds(certId: string): Promise<number[]> {
    const events = await fx.store.readStream(streams.certificate(certId));
    return events.filter((e) => e.type === 'ExpirationWarningSent').map((e) => (e.data as { thresholdDays: number }).thresholdDays);
  }

  async function until(ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('warnings switched on, a shorter interval and new thresholds apply without a restart', async () => {
    await deps.aggregates.append(
      [{ streamId: streams.account('acc1'), expected: 'no_stream', events: [event('AccountRegistered', { accountId: 'acc1', jwk: { kty: 'EC' }, thumbprint: 'tp-acc1', contact: ['mailto:ops@example.test'], termsOfServiceAgreed: true, eabKeyId: null })] }],
      {},
    );
    const appended = await deps.aggregates.append(
      [{
        streamId: streams.certificate('c1'),
        expected: 'no_stream',
        events: [event('CertificateIssued', {
          certificateId: 'c1', orderId: 'c1', accountId: 'acc1', serial: 'c101', names: ['c1.example.test'],
          notBefore: new Date(T0.getTime() - 80 * DAY).toISOString(), notAfter: new Date(T0.getTime() + 10 * DAY).toISOString(),
          chainPem: '', fingerprintSha256: '', keyType: 'ecdsa-p256', issuer: 'CN=test',
        })],
      }],
      {},
    );
    await runner.waitFor(appended[appended.length - 1].position, 10_000);

    writeFileSync(file, 'notifications:\n  expiration_warning: false\n  expiration_check_interval: 1h\n');
    let current: Config = loadConfig({ file, env: {} });
    const [task] = periodicTasks(current, { crl: null, deps, context: undefined as never }, () => current.notifications).filter((t) => t.name === 'expiration-warnings');
    let rounds = 0;
    const counted = { ...task, run: async (now: Date) => { await task.run(now); rounds++; } };
    const errors: Error[] = [];
    const scheduler = new Scheduler(fx.pool, [counted], (_name, e) => errors.push(e), () => T0);
    scheduler.start();
    try {
      // The first round comes after at most a second; with warnings off it records nothing.
      await until(async () => rounds >= 1);
      expect(await warnedThresholds('c1')).toEqual([]);

      writeFileSync(file, 'notifications:\n  expiration_warning: true\n  expiration_check_interval: 200ms\n  expiration_warning_days: [20]\n');
      const next = reloadConfig(file, current, log);
      expect(next).not.toBeNull();
      current = next!;
      scheduler.rearm();
      // Without the reload the next round would be an hour away, and would warn at 14 days.
      await until(async () => (await warnedThresholds('c1')).length > 0);
      expect(await warnedThresholds('c1')).toEqual([20]);
      expect(errors).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  }, 60_000);
});
