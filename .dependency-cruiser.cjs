/**
 * The layering the code keeps, checked by `npm run lint` (dependency-cruiser).
 * Imports run one way, from the top floor down:
 *
 *   entry (main, config, app/: the composition root)
 *   http/, websocket/, cluster/   the edge: node:http, WebSocket upgrades, the cluster primary
 *   graphql/                      yoga, the context, the error contract, operation analysis, plugins/
 *   telemetry/                    the logger, Prometheus, the OpenTelemetry SDK
 *   schema/                       the GraphQL shape (Pothos)
 *   resolvers/                    behaviour as plain functions
 *   loaders/, live/               per-request DataLoaders; the shared pollers
 *   upstream/                     the Run:ai REST client
 *   redis/                        the process's Redis connections
 *   domain/                       ids, cursors, the metrics window, the error codes: imports nothing of ours
 *
 * A module may import its own floor and any floor below it, never one above.
 * Inside live/, the same holds for its rooms: live-updates (the facade) →
 * fan-out/ (topics, subscribers, budgets) → coordination/ (stores, leases,
 * buses, the codec) → pollers/ (Run:ai polls and diffs).
 */
const FLOORS = [
  ['entry', '^src/(main|config)\\.ts$|^src/app/'],
  ['edge', '^src/(http|websocket|cluster)/'],
  ['graphql', '^src/graphql/'],
  ['telemetry', '^src/telemetry/'],
  ['schema', '^src/schema/'],
  ['resolvers', '^src/resolvers/'],
  ['data', '^src/(loaders|live)/'],
  ['upstream', '^src/upstream/'],
  ['redis', '^src/redis/'],
  ['domain', '^src/domain/'],
];

const LIVE_ROOMS = [
  ['live-facade', '^src/live/[^/]+\\.ts$'],
  ['live-fan-out', '^src/live/fan-out/'],
  ['live-coordination', '^src/live/coordination/'],
  ['live-pollers', '^src/live/pollers/'],
];

/** One rule per floor (or room): it may not import what sits above it. */
const upwardOf = (floors) =>
  floors.slice(1).map(([name, path], i) => ({
    name: `no-upward-from-${name}`,
    comment: `${name} sits below ${floors
      .slice(0, i + 1)
      .map(([above]) => above)
      .join(', ')}: it may not import them`,
    severity: 'error',
    from: { path },
    to: {
      path: floors
        .slice(0, i + 1)
        .map(([, above]) => `(${above})`)
        .join('|'),
    },
  }));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties its files together: break it along what each holds.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upwardOf(FLOORS),
    ...upwardOf(LIVE_ROOMS),
    {
      name: 'http-not-websocket-or-cluster',
      comment: 'The HTTP edge does not reach into its neighbours; the composition root wires them.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(websocket|cluster)/' },
    },
    {
      name: 'src-not-test',
      comment: 'The gateway never imports its tests or their helpers.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'src-not-dev-dependencies',
      comment: 'What the gateway imports must be a dependency: a production install has no devDependencies.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.d\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
