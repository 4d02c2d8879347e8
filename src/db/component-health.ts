/**
 * What the background machinery of this instance says about itself: each component (a projection
 * loop, the job queue, the heartbeat) reports success or failure of its last attempt to reach the
 * database. /readyz answers 503 while any of them is still failing, so a load balancer sends
 * traffic only to instances whose subscriptions, jobs and heartbeat have resumed after an outage.
 */
export interface ComponentProblem {
  component: string;
  since: Date;
  error: string;
}

export interface HealthReporter {
  ok(component: string): void;
  failed(component: string, e: unknown): void;
}

export class ComponentHealth implements HealthReporter {
  private readonly failing = new Map<string, ComponentProblem>();

  constructor(private readonly onChange?: (component: string, problem: ComponentProblem | null) => void) {}

  ok(component: string): void {
    if (this.failing.delete(component)) this.onChange?.(component, null);
  }

  failed(component: string, e: unknown): void {
    const error = e instanceof Error ? e.message : String(e);
    const known = this.failing.get(component);
    if (known) {
      known.error = error;
      return;
    }
    const problem = { component, since: new Date(), error };
    this.failing.set(component, problem);
    this.onChange?.(component, problem);
  }

  problems(): ComponentProblem[] {
    return [...this.failing.values()];
  }
}
