import { aggregateIdOf } from '../domain/streams';
import type { CatalogEvent, Projection, SqlTx } from '../projection/projection';
import { type JobQueue, QUEUES } from './job-queue';

/**
 * Turns expiration warnings into email jobs. It runs as a subscriber whose checkpoint commits in
 * the same transaction as the job rows, so a crash at any point neither loses nor doubles a job
 * (the event id is also the job's singleton key). Validation and issuance jobs are not its
 * business: they commit with the request that asks for them (requested-work.ts).
 */
export function jobDispatcher(queue: JobQueue, opts: { sendEmail: boolean } = { sendEmail: false }): Projection {
  return {
    name: 'job_dispatch',
    version: 2,
    replayable: false,
    handles: ['ExpirationWarningSent'],
    tables: [],
    afterCommit: () => queue.wake(QUEUES.email),
    async apply(e: CatalogEvent, tx: SqlTx) {
      // With SMTP disabled the warning stays recorded, and nothing is sent.
      if (opts.sendEmail) await queue.sendIn(tx, QUEUES.email, { kind: 'expiration-warning', certificateId: aggregateIdOf('cert', e.streamId), eventId: e.eventId }, e.eventId);
    },
  };
}
