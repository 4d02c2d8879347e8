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

/** Events that record a validation's outcome: the work of its request is done. */
const VALIDATION_OUTCOMES = new Set(['ChallengeValidated', 'ChallengeFailed']);

export function isValidationOutcome(e: { type: string }): boolean {
  return VALIDATION_OUTCOMES.has(e.type);
}

/**
 * The work an event asks for, as the safety-net job committed with it: the job's id is the
 * event's id, so the work recorded later can remove exactly that job in its own transaction.
 * Work whose outcome `appended` (the events committed with it) already records needs no job.
 */
export function requestedWork(e: StoredEvent, appended: readonly StoredEvent[] = []): { queue: QueueName; data: ValidationJob | IssuanceJob; id: string } | null {
  switch (e.type) {
    case 'ChallengeValidationRequested': {
      const challengeId = (e.data as { challengeId: string }).challengeId;
      const done = appended.some((o) => o.streamId === e.streamId && isValidationOutcome(o) && (o.data as { challengeId?: string }).challengeId === challengeId);
      return done ? null : { queue: QUEUES.validation, data: { authzId: aggregateIdOf('authz', e.streamId), challengeId }, id: e.eventId };
    }
    case 'OrderFinalizationRequested':
      return { queue: QUEUES.issuance, data: { orderId: aggregateIdOf('order', e.streamId) }, id: e.eventId };
    default:
      return null;
  }
}
