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
