import type { StoredEvent } from '../eventstore/event-store';
import type { Projection, SqlTx } from '../projection/projection';
import { type JobQueue, QUEUES } from './job-queue';

export interface ValidationJob {
  authzId: string;
  challengeId: string;
}
export interface IssuanceJob {
  orderId: string;
}

/**
 * Turns "work requested" events into durable jobs. It runs as a subscriber whose checkpoint
 * commits in the same transaction as the job rows, so a crash at any point neither loses nor
 * doubles a job (the event id is also the job's singleton key).
 */
export function jobDispatcher(queue: JobQueue, opts: { sendEmail: boolean } = { sendEmail: false }): Projection {
  return {
    name: 'job_dispatch',
    version: 1,
    replayable: false,
    handles: ['ChallengeValidationRequested', 'OrderFinalizationRequested', 'ExpirationWarningSent'],
    tables: [],
    afterCommit: () => {
      queue.wake(QUEUES.validation);
      queue.wake(QUEUES.issuance);
      queue.wake(QUEUES.email);
    },
    async apply(e: StoredEvent, tx: SqlTx) {
      if (e.type === 'ChallengeValidationRequested') {
        const job: ValidationJob = { authzId: e.streamId.slice('authz-'.length), challengeId: (e.data as { challengeId: string }).challengeId };
        await queue.sendIn(tx, QUEUES.validation, job, e.eventId);
      } else if (e.type === 'ExpirationWarningSent') {
        // With SMTP disabled the warning stays recorded, and nothing is sent.
        if (opts.sendEmail) await queue.sendIn(tx, QUEUES.email, { kind: 'expiration-warning', certificateId: e.streamId.slice('cert-'.length), eventId: e.eventId }, e.eventId);
      } else if (e.type === 'OrderFinalizationRequested') {
        const job: IssuanceJob = { orderId: e.streamId.slice('order-'.length) };
        await queue.sendIn(tx, QUEUES.issuance, job, e.eventId);
      }
    },
  };
}
