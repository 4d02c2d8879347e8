import type { AcmeDeps } from '../commands/acme-deps';
import type { EventDataByType } from '../domain/events';
import { streams } from '../domain/streams';
import type { Mailer } from './mailer';
import { renderTemplate } from './templates';

export interface EmailJob {
  kind: 'expiration-warning';
  certificateId: string;
  eventId: string;
}

/** Sends the email of one recorded notification event. A failure throws: the job is retried with backoff. */
export async function runEmailJob(deps: AcmeDeps, mailer: Mailer, templatesDir: string | null, job: EmailJob): Promise<void> {
  const events = await deps.aggregates.store.readStream(streams.certificate(job.certificateId));
  const issued = events.find((e) => e.type === 'CertificateIssued')?.data as EventDataByType['CertificateIssued'] | undefined;
  const warning = events.find((e) => e.eventId === job.eventId)?.data as EventDataByType['ExpirationWarningSent'] | undefined;
  if (!issued || !warning || warning.contacts.length === 0) return;
  const vars = {
    names: warning.names.join(', '),
    serial: issued.serial,
    issuer: issued.issuer,
    not_after: warning.notAfter,
    days: String(warning.thresholdDays),
  };
  await mailer.send(
    warning.contacts,
    renderTemplate('expiration-warning.subject.txt', vars, templatesDir).trim(),
    renderTemplate('expiration-warning.txt', vars, templatesDir),
  );
}
