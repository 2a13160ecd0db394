import { Inject } from '@nestjs/common';
import { REGION_TOKEN_PREFIX } from '../cache-regions.constants.js';
import { recordRegionInjection } from '../metadata/region-injections.js';

/**
 * The injection token of a region, e.g. for
 * `Test.createTestingModule(…).overrideProvider(getRegionToken('files'))`.
 */
export function getRegionToken(name: string): string {
  return `${REGION_TOKEN_PREFIX}${name}`;
}

/**
 * Injects the region `name` as a `CacheRegion`:
 * `constructor(@InjectRegion('files') private readonly files: CacheRegion) {}`.
 * A name that is not configured fails bootstrap with the class name and the configured regions.
 */
export function InjectRegion(name: string): PropertyDecorator & ParameterDecorator {
  const inject = Inject(getRegionToken(name));
  return (target: object, propertyKey: string | symbol | undefined, index?: number) => {
    // Constructor parameters decorate the class itself; properties decorate its prototype.
    const owner = typeof target === 'function' ? target : target.constructor;
    recordRegionInjection(owner, name);
    inject(target, propertyKey as string | symbol, index as never);
  };
}
