import { CacheConfigError } from '../../lib/errors.js';
import { CacheRegion } from '../../lib/regions/cache-region.js';
import { UnconfiguredRegion } from '../../lib/regions/unconfigured-region.js';

describe('UnconfiguredRegion', () => {
  const standIn = new UnconfiguredRegion('archive', ['functions', 'files']) as unknown as Record<string, () => unknown>;
  const methods = ['get', 'set', 'delete', 'has', 'getOrSet', 'clear', 'keyFor', 'stats', 'getStream', 'setStream'];

  it.each(methods)('%s() throws the configuration error', (method) => {
    expect(typeof (CacheRegion.prototype as unknown as Record<string, unknown>)[method]).toBe('function');
    expect(() => standIn[method]()).toThrow(CacheConfigError);
    expect(() => standIn[method]()).toThrow(
      'Cache region "archive" is not configured; configured regions: functions, files.',
    );
  });

  it('leaves lifecycle hooks Nest probes for undefined', () => {
    expect(standIn.onModuleInit).toBeUndefined();
    expect(standIn.then).toBeUndefined();
  });
});
