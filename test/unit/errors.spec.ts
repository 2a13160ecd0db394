import { describe, expect, it } from 'vitest';
import * as api from '../../lib/index.js';
import * as prometheus from '../../lib/observability/prometheus/index.js';
import * as terminus from '../../lib/terminus/index.js';

describe('the errors the package exports', () => {
  const errorClasses = Object.entries({ ...api, ...terminus, ...prometheus }).filter(
    ([name, value]) => name.endsWith('Error') && typeof value === 'function',
  ) as [string, new (...args: never[]) => Error][];

  it('are found', () => {
    expect(errorClasses.map(([name]) => name)).toEqual(
      expect.arrayContaining(['CacheRegionsError', 'CacheConfigError', 'CacheStoreError', 'StoreValueTooLargeError']),
    );
  });

  it.each(errorClasses)('%s extends CacheRegionsError and is named after its class', (name, type) => {
    if (type !== api.CacheRegionsError) expect(type.prototype).toBeInstanceOf(api.CacheRegionsError);
    const error = name === 'StoreValueTooLargeError' ? new api.StoreValueTooLargeError(2, 1) : new (type as new (m: string) => Error)('m');
    expect(error).toBeInstanceOf(api.CacheRegionsError);
    expect(error.name).toBe(name);
  });
});
