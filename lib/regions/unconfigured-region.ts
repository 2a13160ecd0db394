import { unconfiguredRegionUsed } from '../cache-regions.messages.js';
import { CacheConfigError } from '../errors.js';

/**
 * Stands in for a region that some class injects but this app does not configure. Bootstrap
 * reports the injecting class; any use before that throws the same explanation.
 */
export class UnconfiguredRegion {
  constructor(
    readonly name: string,
    private readonly configured: string[],
  ) {}

  private fail(): never {
    throw new CacheConfigError(unconfiguredRegionUsed(this.name, this.configured));
  }

  get(): never {
    return this.fail();
  }
  set(): never {
    return this.fail();
  }
  delete(): never {
    return this.fail();
  }
  has(): never {
    return this.fail();
  }
  getOrSet(): never {
    return this.fail();
  }
  clear(): never {
    return this.fail();
  }
  keyFor(): never {
    return this.fail();
  }
  stats(): never {
    return this.fail();
  }
}
