import { unconfiguredRegionUsed } from '../cache-regions.messages.js';
import { CacheConfigError } from '../errors.js';
import { CacheRegion } from './cache-region.js';

/**
 * Stands in for a region that some class injects but this app does not configure. Bootstrap
 * reports the injecting class; any use before that throws the same explanation.
 */
export class UnconfiguredRegion {
  constructor(
    readonly name: string,
    private readonly configured: string[],
  ) {}

  /** Throws the explanation; every method of `CacheRegion` is this on a stand-in. */
  fail(): never {
    throw new CacheConfigError(unconfiguredRegionUsed(this.name, this.configured));
  }
}

// Every public method of CacheRegion, taken from the class itself so none is ever missing here.
for (const method of Object.getOwnPropertyNames(CacheRegion.prototype)) {
  const descriptor = Object.getOwnPropertyDescriptor(CacheRegion.prototype, method);
  if (method === 'constructor' || typeof descriptor?.value !== 'function') continue;
  Object.defineProperty(UnconfiguredRegion.prototype, method, {
    value(this: UnconfiguredRegion): never {
      return this.fail();
    },
    configurable: true,
    writable: true,
  });
}
