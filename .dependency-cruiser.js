/**
 * Architecture rules, checked by test/unit/architecture.spec.ts so a wrong import fails CI:
 * the domain stays pure, projections see only domain types and the projection contract,
 * validation and the CA never reach into the web edge, and nothing ships test code.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing from NestJS, HTTP, SQL or the rest of the product',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { path: ['^src/(?!domain/)', '^projections', '@nestjs', '(^|/)node_modules/(pg|fastify|pg-boss|jose)/', '^(pg|fastify|http|https|net)$'] },
    },
    {
      name: 'projections-see-domain-types-only',
      comment: 'a read model turns events into SQL and answers queries; it depends on domain types, the projection contract and the db handle type only',
      severity: 'error',
      from: { path: '^projections' },
      to: { path: '^src/(?!domain/|eventstore/event-store\\.ts$|projection/projection\\.ts$|db/db\\.ts$)' },
    },
    {
      name: 'validation-and-ca-do-not-use-the-web-edge',
      severity: 'error',
      from: { path: '^src/(validation|ca)/' },
      to: { path: '^src/acme/' },
    },
    {
      name: 'no-test-code-in-the-product',
      severity: 'error',
      from: { path: '^(src|projections|bench)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
