/** Parley's layer rules, checked by `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain holds decide/evolve: no Nest, no drivers, no other layer.',
      severity: 'error',
      from: { path: '^libs/domain' },
      to: {
        pathNot: ['^libs/domain', '^node_modules/@types/node', '^(node:)?crypto$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-no-frameworks',
      severity: 'error',
      from: { path: '^libs/domain' },
      to: { path: ['@nestjs', 'better-sqlite3', 'mongodb', '@eventstore', 'fastify'] },
    },
    {
      name: 'ports-know-no-apps',
      comment: 'Libraries and projections never reach into an application.',
      severity: 'error',
      from: { path: '^(libs|projections)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'projections-are-plain',
      comment: 'Projections are plain definitions: no Nest, no store drivers.',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: ['@nestjs', 'better-sqlite3', 'mongodb', '@eventstore'] },
    },
    {
      name: 'read-store-moves-documents',
      comment: 'The read store knows documents, not domain events: upcasting happens in libs/projection, where events are read for the read models.',
      severity: 'error',
      from: { path: '^libs/read-store' },
      to: { path: ['^libs/domain', '^libs/projection', '^projections/'] },
    },
    {
      name: 'workers-know-no-api',
      comment: 'The CLI and the projector share wiring, logging and API-key operations with the API through libs/, never by importing apps/api.',
      severity: 'error',
      from: { path: '^apps/(cli|projector)/' },
      to: { path: '^apps/api/' },
    },
    {
      name: 'api-plumbing-knows-no-feature',
      comment: 'apps/api/infrastructure and apps/api/common sit below every feature module: they import none.',
      severity: 'error',
      from: { path: '^apps/api/(infrastructure|common)/' },
      to: {
        path: '^apps/api/',
        pathNot: ['^apps/api/(infrastructure|common)/'],
      },
    },
    {
      name: 'features-meet-through-modules',
      comment:
        'A feature reaches another only through what its module exports (states, services, commands, queries, DTOs); never its controllers, and never the root module.',
      severity: 'error',
      from: { path: '^apps/api/([^/]+)/' },
      to: {
        path: ['^apps/api/[^/]+/[^/]+\\.controller\\.ts$', '^apps/api/app(\\.module)?\\.ts$'],
        pathNot: ['^apps/api/$1/'],
      },
    },
    {
      name: 'surfaces-are-translators',
      comment:
        "A seed's surface (apps/api/compat) translates to Parley's commands and queries: it reaches no store and no decider; what it needs is a query or command of a feature.",
      severity: 'error',
      from: { path: '^apps/api/compat/' },
      to: { path: ['^libs/event-store/', '^libs/read-store/', '^libs/domain/.+\\.decider\\.ts$'] },
    },
    {
      name: 'one-write-path',
      comment:
        'Parley writes through the CommandPipeline (libs/command-pipeline): one append per command, decided by a decider. Only the infrastructure module provides the EventWriter (see test/architecture/write-path.unit.spec.ts).',
      severity: 'error',
      from: {
        path: '^apps/',
        pathNot: ['^apps/api/infrastructure/infrastructure\\.module\\.ts$'],
      },
      to: { path: '^libs/command-pipeline/event-writer\\.ts$' },
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
    exclude: { path: ['\\.spec\\.ts$', 'node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
