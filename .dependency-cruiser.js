/**
 * Architecture rules, checked by test/unit/architecture.spec.ts so a wrong import fails CI:
 * the domain stays pure, projections see only domain types and the projection contract, the
 * application (commands, jobs, notifications, validation, CA) never reaches into a web edge, the
 * ACME edge does not reach into the admin edge, SQL drivers stay in the modules that own tables,
 * nothing runs back up into the composition root (src/runtime), and nothing ships test code.
 * See docs/architecture.md.
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
      name: 'application-does-not-use-the-web-edges',
      comment: 'commands, workers, notifications, validation and the CA are called by the edges, never the other way',
      severity: 'error',
      from: { path: '^src/(commands|jobs|notifications|validation|ca)/' },
      to: { path: '^src/(acme|admin|console)/' },
    },
    {
      name: 'acme-does-not-use-admin',
      comment: 'the ACME edge serves clients; what it shares with the admin API lives below both',
      severity: 'error',
      from: { path: '^src/acme/' },
      to: { path: '^src/(admin|console)/' },
    },
    {
      name: 'only-table-owners-import-pg',
      comment:
        'SQL runs in the event store, the projection engine, the job queue (pg-boss glue), src/db stores, the read-model folders and the composition root; everything else calls them',
      severity: 'error',
      from: { path: '^(src|projections)/', pathNot: '^(src/eventstore/|src/projection/|src/jobs/(job-queue|pg-boss-guard|lease-takeover|scheduler)\\.ts$|src/db/|src/runtime/|projections/)' },
      to: { path: ['(^|/)node_modules/(pg|pg-boss)/', '^(pg|pg-boss)$'] },
    },
    {
      name: 'nothing-runs-up-into-the-composition-root',
      comment: 'src/runtime assembles everything; only the CLI (and main.ts through it) calls into it',
      severity: 'error',
      from: { path: '^(src|projections)/', pathNot: '^src/(runtime/|cli/|main\\.ts$)' },
      to: { path: '^src/runtime/' },
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
