import { periodicTasks } from '../../../src/runtime/periodic-tasks';
import { intervalOf } from '../../../src/jobs/scheduler';
import { validateConfigObject } from '../../../src/config';

/** Which processors a configuration schedules (they then run on one instance of the fleet). */
describe('periodic tasks from configuration', () => {
  const services = { crl: null } as never;
  const names = (raw: Record<string, unknown>) => periodicTasks(validateConfigObject(raw, {}, '/tmp'), services).map((t) => t.name);

  test('defaults: expiration warnings and cleanup', () => {
    expect(names({})).toEqual(['expiration-warnings', 'cleanup']);
  });

  test('notifications.enabled false records and sends nothing: no expiration processor', () => {
    expect(names({ notifications: { enabled: false } })).toEqual(['cleanup']);
  });

  test('intervals come from configuration', () => {
    const tasks = periodicTasks(validateConfigObject({ notifications: { expiration_check_interval: '10m' }, cleanup: { interval: '1m' } }, {}, '/tmp'), services);
    expect(tasks.map((t) => [t.name, intervalOf(t)])).toEqual([
      ['expiration-warnings', 600_000],
      ['cleanup', 60_000],
    ]);
  });
});
