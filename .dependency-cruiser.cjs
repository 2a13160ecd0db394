// The rooms of lib/ and the direction of their imports (ARCHITECTURE.md): each layer may import
// its own and the layers below it, never one above; no import circle anywhere. `npm test` runs
// this first (pretest), so a change that breaks the layering fails the suite.
const LAYERS = [
  ['entry', '^lib/(index|cache-regions[.]module|single-root[.]check)[.]ts$|^lib/terminus/|^lib/observability/(prometheus|opentelemetry)/'],
  ['decorators', '^lib/decorators/'],
  ['cached', '^lib/cached/'],
  ['regions', '^lib/regions/'],
  ['config', '^lib/config/|^lib/cache-regions[.]options[.]ts$'],
  ['stores', '^lib/stores/'],
  ['keys', '^lib/keys/|^lib/serialization/'],
  ['base', '^lib/(metadata/|observability/[^/]+[.]ts$|[^/]+[.]ts$)'],
];

const upward = LAYERS.slice(1).map(([name, path], index) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} must not import a layer above it (${LAYERS.slice(0, index + 1).map(([above]) => above).join(', ')})`,
  severity: 'error',
  from: { path, pathNot: LAYERS.slice(0, index + 1).map(([, above]) => above) },
  to: { path: LAYERS.slice(0, index + 1).map(([, above]) => above) },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: { path: '^lib/' }, to: { circular: true } },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
