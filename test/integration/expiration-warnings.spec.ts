import { Pool } from 'pg';
import { ALL_PROJECTIONS } from '../../projections';
import type { AcmeDeps } from '../../src/commands/acme-deps';
import { event } from '../../src/domain/events';
import { streams } from '../../src/domain/streams';
import { jobDispatcher } from '../../src/jobs/job-dispatcher';
import { JobQueue, QUEUES } from '../../src/jobs/job-queue';
import { type EmailJob, runEmailJob } from '../../src/notifications/email.worker';
import { runExpirationWarnings } from '../../src/notifications/expiration-processor';
import { Mailer } from '../../src/notifications/mailer';
import { ProjectionRunner } from '../../src/projection/projection-runner';
import { createPgStore, type PgStoreFixture } from '../support/postgres-store';
import { storeOnlyDeps } from '../support/store-only-deps';
import { type ReceivedMail, SmtpSink } from '../support/smtp-sink';

const DAY = 86_400_000;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

/**
 * Expiration warnings driven by an injected clock through days of expiry in seconds, recorded as
 * events and delivered by a durable email job to a real SMTP server on loopback.
 */
describe('expiration warnings by email', () => {
  let fx: PgStoreFixture;
  let deps: AcmeDeps;
  let runner: ProjectionRunner;
  let queue: JobQueue;
  const smtp = new SmtpSink();
  const inbox = smtp.inbox;
  const settings = { thresholds: [30, 14, 7, 1], batchSize: 2 };

  beforeAll(async () => {
    fx = await createPgStore('expiration');
    await smtp.start();
    // Retries come due a second after a failure: looking every half second keeps the outage short.
    queue = new JobQueue({ pool: fx.pool, leaseMs: 5000, emailRetryLimit: 5, emailRetryDelayMs: 1000, pollIntervalMs: 500 });
    runner = new ProjectionRunner({ store: fx.store, pool: fx.pool, projections: [...ALL_PROJECTIONS, jobDispatcher(queue, { sendEmail: true })], pollIntervalMs: 50 });
    await runner.prepare();
    await queue.start();
    deps = storeOnlyDeps(fx, queue, () => T0, 'test');
    const mailer = new Mailer({
      enabled: true, host: '127.0.0.1', port: smtp.port, secure: false, starttls: false, reject_unauthorized: false,
      username: null, password: null, from: 'ca@certledger.test', cc: [], bcc: ['audit@certledger.test'], timeout: 2000,
    });
    await queue.work<EmailJob>(QUEUES.email, 1, (job) => runEmailJob(deps, mailer, null, job));
    runner.start();
  }, 60_000);

  afterAll(async () => {
    await runner.stop();
    await queue.stop(1000);
    void smtp.stop();
    await fx.dispose();
  });

  async function account(id: string, email: string) {
    await deps.aggregates.append(
      [{ streamId: streams.account(id), expected: 'no_stream', events: [event('AccountRegistered', { accountId: id, jwk: { kty: 'EC' }, thumbprint: `tp-${id}`, contact: [`mailto:${email}`], termsOfServiceAgreed: true, eabKeyId: null })] }],
      {},
    );
  }

  /** A certificate valid for `lifetimeDays`, expiring `notAfterDays` after T0. */
  async function certificate(id: string, accountId: string, names: string[], notAfterDays: number, lifetimeDays = 90) {
    const appended = await deps.aggregates.append(
      [{
        streamId: streams.certificate(id),
        expected: 'no_stream',
        events: [event('CertificateIssued', {
          certificateId: id, orderId: id, accountId, serial: `${id}01`, names, notBefore: at(notAfterDays - lifetimeDays).toISOString(), notAfter: at(notAfterDays).toISOString(),
          chainPem: '', fingerprintSha256: '', keyType: 'ecdsa-p256', issuer: 'CN=test',
        })],
      }],
      {},
    );
    await runner.waitFor(appended[appended.length - 1].position, 10_000);
  }

  async function run(days: number): Promise<number> {
    const n = await runExpirationWarnings(deps, settings, at(days));
    await runner.waitFor(await fx.store.headPosition(), 10_000);
    return n;
  }

  async function thresholdsOf(certId: string): Promise<number[]> {
    const events = await fx.store.readStream(streams.certificate(certId));
    return events.filter((e) => e.type === 'ExpirationWarningSent').map((e) => (e.data as { thresholdDays: number }).thresholdDays);
  }

  async function waitForMail(count: number) {
    for (let i = 0; i < 300 && inbox.length < count; i++) await new Promise((r) => setTimeout(r, 100));
    return inbox.length;
  }

  test('each threshold is warned once, a late certificate only at the nearest, and none for revoked, expired or renewed ones', async () => {
    await account('acc1', 'ops@example.test');
    await certificate('a', 'acc1', ['a.example.test'], 40);
    await certificate('late', 'acc1', ['late.example.test'], 5);
    await certificate('revoked', 'acc1', ['revoked.example.test'], 10);
    await deps.aggregates.append([{ streamId: streams.certificate('revoked'), expected: 0, events: [event('CertificateRevoked', { serial: 'revoked01', reason: 4, by: 'account', actor: 'acc1' })] }], {});
    await certificate('old', 'acc1', ['renewed.example.test'], 10);
    await certificate('new', 'acc1', ['renewed.example.test'], 90);

    expect(await run(0)).toBe(1); // only "late", at 7 days
    expect(await thresholdsOf('late')).toEqual([7]);
    expect(await run(0)).toBe(0);
    expect(await run(11)).toBe(1); // "a" crosses 30 days
    expect(await run(11)).toBe(0);
    await run(4.5); // "late" crosses 1 day
    await run(27); // "a" at 14
    await run(34); // "a" at 7
    await run(39.5); // "a" at 1
    await run(50); // everything expired: nothing
    expect(await thresholdsOf('a')).toEqual([30, 14, 7, 1]);
    expect(await thresholdsOf('late')).toEqual([7, 1]);
    expect(await thresholdsOf('revoked')).toEqual([]);
    expect(await thresholdsOf('old')).toEqual([]);
    expect(await waitForMail(6)).toBe(6);
    expect(inbox.map((m) => m.subject)).toContain('Certificate for a.example.test expires in 30 days');
    expect(inbox.every((m) => m.to.includes('ops@example.test') && m.to.includes('audit@certledger.test'))).toBe(true);
  }, 90_000);

  test('an SMTP outage in the middle of a batch loses no warning', async () => {
    await account('acc2', 'team@example.test');
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5']) await certificate(id, 'acc2', [`${id}.example.test`], 20);
    const before = inbox.length;
    void smtp.stop();
    expect(await run(0)).toBe(5);
    await new Promise((r) => setTimeout(r, 1500)); // deliveries fail and are scheduled for retry
    expect(inbox.length).toBe(before);
    await smtp.start();
    expect(await waitForMail(before + 5)).toBe(before + 5);
    expect(inbox.slice(before).map((m) => m.subject).sort()).toEqual(['o1', 'o2', 'o3', 'o4', 'o5'].map((id) => `Certificate for ${id}.example.test expires in 30 days`));
  }, 90_000);

  test('a certificate shorter-lived than a threshold is never warned at it', async () => {
    await account('acc3', 'short@example.test');
    await certificate('short', 'acc3', ['short.example.test'], 2, 2);
    expect(await run(0)).toBe(0); // 30, 14 and 7 days are longer than its whole life
    await run(1.5);
    expect(await thresholdsOf('short')).toEqual([1]);
  }, 60_000);

  test('warnings go only to the contacts the account had when the certificate was issued', async () => {
    await account('acc4', 'owner@example.test');
    await certificate('c4', 'acc4', ['c4.example.test'], 20);
    // Later, whoever holds the account key adds an address of their own.
    await deps.aggregates.append([{ streamId: streams.account('acc4'), expected: 0, events: [event('AccountContactUpdated', { contact: ['mailto:owner@example.test', 'mailto:stranger@example.test'] })] }], {});
    await run(0);
    let mail: ReceivedMail | undefined;
    for (let i = 0; i < 300 && !mail; i++) {
      mail = inbox.find((m) => m.subject.includes('c4.example.test'));
      if (!mail) await new Promise((r) => setTimeout(r, 100));
    }
    if (!mail) throw new Error('no warning was mailed for c4');
    expect(mail.to).toContain('owner@example.test');
    expect(mail.to).not.toContain('stranger@example.test');
  }, 60_000);
});
