/**
 * Which classes inject which regions, recorded by `@InjectRegion` as classes are defined.
 * This is static code metadata (like Reflect metadata), not app state: each app reads it to
 * check its own classes against its own configuration.
 */
const injectionsByClass = new Map<Function, Set<string>>();

/** Records that `owner` injects region `name`. */
export function recordRegionInjection(owner: Function, name: string): void {
  let names = injectionsByClass.get(owner);
  if (!names) injectionsByClass.set(owner, (names = new Set()));
  names.add(name);
}

/** Regions injected by `owner` (own constructor and properties, and its base classes). */
export function regionsInjectedBy(owner: Function): string[] {
  const names = new Set<string>();
  for (let cls: Function | null = owner; cls && cls !== Function.prototype; cls = Object.getPrototypeOf(cls)) {
    for (const name of injectionsByClass.get(cls) ?? []) names.add(name);
  }
  return [...names];
}

/** Every region name any class injects, so each app can provide a token for each. */
export function allInjectedRegionNames(): string[] {
  const names = new Set<string>();
  for (const set of injectionsByClass.values()) for (const name of set) names.add(name);
  return [...names];
}
