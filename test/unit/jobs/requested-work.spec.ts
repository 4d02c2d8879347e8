import type { StoredEvent } from '../../../src/eventstore/event-store';
import { QUEUES } from '../../../src/jobs/job-queue';
import { requestedWork } from '../../../src/jobs/requested-work';

// The safety-net job an appended event asks for, and the work that needs none because the same
// append already records its outcome (a validation finished within the challenge's request).
const stored = (streamId: string, type: string, data: Record<string, unknown>, eventId = `${type}-id`): StoredEvent => ({
  eventId,
  streamId,
  streamPosition: 0,
  position: '1/1',
  type,
  schemaVersion: 1,
  data,
  metadata: {},
  recordedAt: new Date(0),
});

describe('requestedWork', () => {
  const requested = stored('authz-a1', 'ChallengeValidationRequested', { challengeId: 'c1', type: 'http-01', keyAuthorization: 'k' });

  test('a validation request asks for a validation job whose id is the event id', () => {
    expect(requestedWork(requested, [requested])).toEqual({ queue: QUEUES.validation, data: { authzId: 'a1', challengeId: 'c1' }, id: requested.eventId });
  });

  test.each(['ChallengeValidated', 'ChallengeFailed'])('no job when the same append records its outcome (%s)', (outcome) => {
    expect(requestedWork(requested, [requested, stored('authz-a1', outcome, { challengeId: 'c1' })])).toBeNull();
  });

  test("another challenge's or another authorization's outcome does not stand for it", () => {
    expect(requestedWork(requested, [requested, stored('authz-a1', 'ChallengeValidated', { challengeId: 'c2' })])).not.toBeNull();
    expect(requestedWork(requested, [requested, stored('authz-a2', 'ChallengeValidated', { challengeId: 'c1' })])).not.toBeNull();
  });

  test('a finalization request asks for an issuance job; other events ask for nothing', () => {
    const finalize = stored('order-o1', 'OrderFinalizationRequested', {});
    expect(requestedWork(finalize, [finalize])).toEqual({ queue: QUEUES.issuance, data: { orderId: 'o1' }, id: finalize.eventId });
    expect(requestedWork(stored('authz-a1', 'ChallengeValidated', { challengeId: 'c1' }))).toBeNull();
  });
});
