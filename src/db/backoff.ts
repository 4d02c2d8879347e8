/**
 * Exponential backoff with jitter for loops that retry after the database went away: the first
 * retry comes quickly (a restart takes about a second), later ones spread out up to `maxMs` so a
 * fleet does not hammer a database that is coming back.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs = 200,
    private readonly maxMs = 5_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next retry; each call doubles the base up to the ceiling. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
