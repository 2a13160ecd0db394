// A Node resolve hook for the child processes of the suite's runs on another Nest version
// (registered by test/support/ts-runner.mjs when NEST_COMPAT is set). Vite's runner in those
// children resolves bare imports itself and hands Node the file it found, so both forms are
// redirected: `@nestjs/<name>[/sub]`, and a file under the repository's own
// node_modules/@nestjs/<name>/, resolve from the installation in test/compat/<name>. (A Vite
// alias cannot do this there: the runner would run Nest's CommonJS files as ES modules.)
const NEST = /^@nestjs\/(?:common|core|testing|platform-express|terminus)(?:\/.*)?$/;
const NEST_FILE = /\/node_modules\/(@nestjs\/(?:common|core|testing|platform-express|terminus))\/(.*)$/;

let parentURL;
let rootModules;

export function initialize(data) {
  parentURL = data.parentURL;
  rootModules = data.rootModules;
}

export async function resolve(specifier, context, nextResolve) {
  if (NEST.test(specifier)) return nextResolve(specifier, { ...context, parentURL });
  const file = specifier.startsWith(rootModules) ? NEST_FILE.exec(specifier) : null;
  if (file) return nextResolve(`${file[1]}/${file[2]}`, { ...context, parentURL });
  return nextResolve(specifier, context);
}
