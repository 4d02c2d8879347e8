import type { Config } from '../config';
import { QUEUES } from '../jobs/job-queue';
import { runIssuanceJob } from '../jobs/issuance.worker';
import type { IssuanceJob, ValidationJob } from '../jobs/requested-work';
import { runValidationJob } from '../jobs/validation.worker';
import { type EmailJob, runEmailJob } from '../notifications/email.worker';
import { Mailer } from '../notifications/mailer';
import type { Metrics } from '../ops/metrics';
import type { AcmeServices } from './acme-services';
import { counted } from './counted-job';
import type { Runtime } from './runtime';

/**
 * Starts this instance's job workers. In the normal path validation and issuance are done by the
 * instance that took the request (deps.work, finalize); these workers take the safety-net jobs of
 * an instance that died before recording its work.
 */
export async function startWorkers(config: Config, rt: Runtime, services: AcmeServices, metrics: Metrics): Promise<void> {
  await rt.jobs.start();
  const validate = counted(rt, metrics, QUEUES.validation, (job: ValidationJob, id: string) =>
    runValidationJob(services.deps, services.validator, job, config.validation.attempts, id),
  );
  // Idle workers look for unannounced jobs every workers.poll_interval (job-queue.ts).
  await rt.jobs.work<ValidationJob>(QUEUES.validation, config.workers.concurrency, (job, meta) => validate(job, meta.id));
  const issue = counted(rt, metrics, QUEUES.issuance, (job: IssuanceJob, id: string) => runIssuanceJob(services.deps, job, id));
  await rt.jobs.work<IssuanceJob>(QUEUES.issuance, config.workers.concurrency, (job, meta) => issue(job, meta.id));
  if (config.notifications.enabled && config.smtp.enabled) {
    const mailer = new Mailer(config.smtp);
    const send = counted(rt, metrics, QUEUES.email, (job: EmailJob) => runEmailJob(services.deps, mailer, config.notifications.templates_dir, job));
    await rt.jobs.work<EmailJob>(QUEUES.email, 1, (job) => send(job));
  }
}

