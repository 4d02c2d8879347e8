import { AcmeError } from '../domain/errors';
import type { ValidationRecord } from './record';

/**
 * Runs a validation and, when it fails, rethrows the problem with what was checked so far
 * attached as `extra.validationRecord`: an auditor of a failed validation needs the addresses
 * and answers as much as one of a successful one. Being an extra member, the record also
 * appears in the problem document, as Boulder shows its validation records to the client.
 * An unexpected error becomes `serverInternal`, never a raw exception.
 */
export async function recordingFailure(record: ValidationRecord, work: () => Promise<ValidationRecord>): Promise<ValidationRecord> {
  try {
    return await work();
  } catch (e) {
    const problem = e instanceof AcmeError ? e : new AcmeError('serverInternal', `validation failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    throw new AcmeError(problem.type, problem.detail, problem.subproblems, {
      reason: problem.reason ?? undefined,
      extra: { ...problem.extra, validationRecord: snapshot(record) },
    });
  }
}

/** A copy with only JSON values, so later mutation or undefined members cannot leak into events. */
function snapshot(record: ValidationRecord): ValidationRecord {
  return JSON.parse(JSON.stringify(record)) as ValidationRecord;
}

/** Quotes a value seen on the wire for a detail, escaped and cut at max characters. */
export function quoteObserved(value: string, max = 128): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}...` : value);
}
