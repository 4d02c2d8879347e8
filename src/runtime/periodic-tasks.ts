import type { AcmeServices } from './acme-services';
import type { Config } from '../config';
import { runExpirationWarnings } from '../notifications/expiration-processor';
import { runCleanup } from '../jobs/cleanup';
import type { PeriodicTask } from '../jobs/scheduler';

/** Work that runs on one instance of the fleet at a time. */
export function periodicTasks(config: Config, services: Pick<AcmeServices, 'crl' | 'deps' | 'context'>): PeriodicTask[] {
  const tasks: PeriodicTask[] = [];
  if (config.notifications.enabled && config.notifications.expiration_warning) {
    const settings = { thresholds: config.notifications.expiration_warning_days, batchSize: 200 };
    tasks.push({ name: 'expiration-warnings', intervalMs: config.notifications.expiration_check_interval, run: async (now) => void (await runExpirationWarnings(services.deps, settings, now)) });
  }
  const cleanup = { batchSize: config.cleanup.batch_size, stuckProcessingMs: config.cleanup.stuck_processing_after };
  tasks.push({
    name: 'cleanup',
    intervalMs: config.cleanup.interval,
    run: async (now) => void (await runCleanup(services.deps, services.context.nonces, cleanup, now)),
  });
  if (services.crl) {
    const crl = services.crl.builder;
    tasks.push({ name: 'crl', intervalMs: config.crl.check_interval, run: async (now) => void (await crl.refresh(now)) });
  }
  return tasks;
}
