import type { ChallengeType } from '../domain/events';
import { AcmeError } from '../domain/errors';
import { validateDns01 } from './dns01';
import { validateHttp01 } from './http01';
import type { ValidationOptions } from './options';
import type { ValidationRecord } from './record';
import { ValidationResolver } from './resolver';
import { validateTlsAlpn01 } from './tls-alpn01';

/** What every challenge type is validated from (dns-01 and tls-alpn-01 do not use the token). */
export interface ChallengeInput {
  domain: string;
  token: string;
  keyAuthorization: string;
}

/**
 * Validates one challenge and returns what was checked, or throws an AcmeError of the RFC 8555
 * type the client should see, with the partial record in `extra.validationRecord`.
 */
export function validateChallenge(type: ChallengeType, input: ChallengeInput, options: ValidationOptions, resolver = new ValidationResolver(options)): Promise<ValidationRecord> {
  switch (type) {
    case 'http-01':
      return validateHttp01(input, options, resolver);
    case 'dns-01':
      return validateDns01(input, options, resolver);
    case 'tls-alpn-01':
      return validateTlsAlpn01(input, options, resolver);
    default:
      return Promise.reject(new AcmeError('malformed', `unsupported challenge type ${JSON.stringify(type)}`));
  }
}

/** The validator with its settings bound, as the job worker holds it. */
export class ChallengeValidator {
  private readonly resolver: ValidationResolver;

  constructor(private readonly options: ValidationOptions) {
    this.resolver = new ValidationResolver(options);
  }

  validate(type: ChallengeType, input: ChallengeInput): Promise<ValidationRecord> {
    return validateChallenge(type, input, this.options, this.resolver);
  }
}
