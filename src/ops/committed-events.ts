import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import type { Metrics } from './metrics';

/**
 * The event types one append of this process committed, published on the @nestjs/cqrs EventBus
 * after the commit. That bus is in memory and fire-and-forget, so only reactions a crash may lose
 * subscribe to it; read models, jobs and the audit trail follow the event store with checkpoints.
 */
export class EventsCommitted {
  constructor(readonly types: readonly string[]) {}
}

/** `certledger_events_committed_total{type}`: what this instance decided, by event type. */
@EventsHandler(EventsCommitted)
export class CommittedEventsCounter implements IEventHandler<EventsCommitted> {
  constructor(private readonly metrics: Metrics) {}

  handle(e: EventsCommitted): void {
    for (const type of e.types) this.metrics.eventsCommitted.inc({ type });
  }
}
