import { AcmeError } from '../../../../src/domain/errors';
import type { ValidationRecord } from '../../../../src/validation/record';

/** The AcmeError a validation rejected with (fails the test if it resolved or threw something else). */
export async function problemOf(p: Promise<unknown>): Promise<AcmeError & { extra: { validationRecord?: ValidationRecord } }> {
  const outcome = await p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a problem, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(AcmeError);
  return outcome.error as AcmeError & { extra: { validationRecord?: ValidationRecord } };
}
