import type { ChallengeType } from '../domain/events';
import { validateDns01 } from './dns01';
import { validateHttp01 } from './http01';
import type { ValidationOptions, ValidationRecord } from './options';
import { ValidationResolver } from './resolver';
import { validateTlsAlpn01 } from './tls-alpn01';

/** Runs one challenge validation; throws AcmeError with the RFC type on failure. */
export class ChallengeValidator {
  private readonly resolver: ValidationResolver;
  constructor(private readonly opts: ValidationOptions) {
    this.resolver = new ValidationResolver(opts);
  }

  validate(type: ChallengeType, input: { domain: string; token: string; keyAuthorization: string }): Promise<ValidationRecord> {
    switch (type) {
      case 'http-01':
        return validateHttp01(input, this.opts, this.resolver);
      case 'dns-01':
        return validateDns01(input, this.resolver);
      case 'tls-alpn-01':
        return validateTlsAlpn01(input, this.opts, this.resolver);
    }
  }
}
