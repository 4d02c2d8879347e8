import type { AcmeServices } from './acme-services';
import type { Config } from '../config';
import { runExpirationWarnings } from '../notifications/expiration-processor';
import { runCleanup } from '../jobs/cleanup';
import type { PeriodicTask } from '../jobs/scheduler';

/**
 * Work that runs on one instance of the fleet at a time. `notifications` gives the settings as last
 * reloaded (SIGHUP): the expiration task reads its switch, thresholds and interval from it on each
 * round. notifications.enabled is read once: off at start, nothing is recorded until a restart.
 */
export function periodicTasks(
  config: Config,
  services: Pick<AcmeServices, 'crl' | 'deps' | 'context'>,
  notifications: () => Config['notifications'] = () => config.notifications,
): PeriodicTask[] {
  const tasks: PeriodicTask[] = [];
  if (config.notifications.enabled) {
    tasks.push({
      name: 'expiration-warnings',
      intervalMs: () => notifications().expiration_check_interval,
      run: async (now) => {
        const live = notifications();
        if (!live.expiration_warning) return;
        await runExpirationWarnings(services.deps, { thresholds: live.expiration_warning_days, batchSize: 200 }, now);
      },
    });
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
