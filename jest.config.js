// Three tiers: unit (pure code), integration (real PostgreSQL), e2e (the built server process
// driven over HTTP by real ACME clients). SWC transpiles TypeScript and emits decorator metadata,
// which NestJS needs.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  transform,
  // Many tests start a PostgreSQL, the server process or loopback responders; on a busy 2-core
  // machine these take well over jest's 5 s default. Tests wait for conditions, never for time,
  // so a generous ceiling only bounds a real hang.
  testTimeout: 120_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts', '<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts', '<rootDir>/test/contract/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
    // The console in Debian's chromium (test/clients/apt-packages.txt) through playwright-core.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'] },
  ],
};
