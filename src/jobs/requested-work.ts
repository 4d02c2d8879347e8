import { aggregateIdOf } from '../domain/streams';
import type { StoredEvent } from '../eventstore/event-store';
import { type QueueName, QUEUES } from './job-queue';

export interface ValidationJob {
  authzId: string;
  challengeId: string;
}
export interface IssuanceJob {
  orderId: string;
}

/**
 * The work an event asks for, as the safety-net job committed with it: the job's id is the
 * event's id, so the work recorded later can remove exactly that job in its own transaction.
 */
export function requestedWork(e: StoredEvent): { queue: QueueName; data: ValidationJob | IssuanceJob; id: string } | null {
  switch (e.type) {
    case 'ChallengeValidationRequested':
      return { queue: QUEUES.validation, data: { authzId: aggregateIdOf('authz', e.streamId), challengeId: (e.data as { challengeId: string }).challengeId }, id: e.eventId };
    case 'OrderFinalizationRequested':
      return { queue: QUEUES.issuance, data: { orderId: aggregateIdOf('order', e.streamId) }, id: e.eventId };
    default:
      return null;
  }
}
