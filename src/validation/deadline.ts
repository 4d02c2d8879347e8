/**
 * The time budget of one validation. Every step (DNS queries, connections, redirects, reading)
 * watches the same signal, so the configured timeout bounds the whole validation and not each
 * step separately.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(() => this.controller.abort(new Error(`validation timed out after ${timeoutMs} ms`)), timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Calls onExpiry once the budget is spent (immediately if it already is); returns an unsubscribe. */
  onExpiry(onExpiry: () => void): () => void {
    if (this.expired) {
      onExpiry();
      return () => undefined;
    }
    this.signal.addEventListener('abort', onExpiry, { once: true });
    return () => this.signal.removeEventListener('abort', onExpiry);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Runs work within a fresh deadline and always releases its timer. */
export async function withDeadline<T>(timeoutMs: number, work: (deadline: Deadline) => Promise<T>): Promise<T> {
  const deadline = new Deadline(timeoutMs);
  try {
    return await work(deadline);
  } finally {
    deadline.dispose();
  }
}
