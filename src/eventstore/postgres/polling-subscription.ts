import { Backoff, sleep } from '../../db/backoff';
import type { EventStore, SubscribeOptions, Subscription } from '../event-store';

/**
 * Catch-up then live delivery over `readAll`: reads batches until the feed is drained, then sleeps
 * until woken (local append or NOTIFY) or until the polling interval passes, whichever is first.
 * Polling is the safety net for a lost notification.
 */
export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private wakeUp: () => void = () => undefined;
  private pendingWake = false;
  private readonly backoff = new Backoff();

  constructor(
    private readonly store: Pick<EventStore, 'readAll'>,
    private readonly options: SubscribeOptions,
    private readonly pollIntervalMs: number,
    attachWake: (wake: () => void) => () => void,
  ) {
    const detach = attachWake(() => this.wake());
    this.done = this.run().finally(detach);
  }

  private wake(): void {
    this.pendingWake = true;
    this.wakeUp();
  }

  private async run(): Promise<void> {
    let position = this.options.after;
    const maxCount = this.options.maxBatch ?? 500;
    while (!this.stopped) {
      this.pendingWake = false;
      let batch;
      try {
        batch = await this.store.readAll({ after: position, maxCount });
        this.backoff.reset();
      } catch {
        // The database is away: keep the position and read again after a growing pause.
        await sleep(this.backoff.next());
        continue;
      }
      if (batch.length > 0) {
        await this.options.handler(batch);
        position = batch[batch.length - 1].position;
        if (batch.length === maxCount) continue;
      }
      if (this.stopped || this.pendingWake) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = () => undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    await this.done.catch(() => undefined);
  }
}
