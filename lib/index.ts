export {
  CacheRegionsModule,
  type CacheRegionsAsyncOptions,
  type CacheRegionsModuleOptions,
  type CacheRegionsOptionsFactory,
} from './cache-regions.module.js';
export type { CacheRegionsOptions, RegionOptions, StoreName } from './cache-regions.options.js';
export { Cached, type CachedOptions, type CacheableMethod } from './decorators/cached.decorator.js';
export { InjectRegion, getRegionToken } from './decorators/inject-region.decorator.js';
export { CacheEvict, type CacheEvictOptions } from './decorators/cache-evict.decorator.js';
export { CachePut } from './decorators/cache-put.decorator.js';
export type { CachedMethodArgs, CachedMethodName, CachedMethodValue } from './metadata/invalidation-metadata.js';
export { CacheRegion, type CacheSetOptions } from './regions/cache-region.js';
export { CacheRegions } from './regions/cache-regions.service.js';
export type { RegionStats } from './regions/region-stats.js';
export type { CacheMetricsSink, CacheOperation } from './observability/cache-metrics-sink.js';
export {
  parseCacheConfigOptions,
  type ParseCacheConfigOptionsSettings,
} from './config/beaker-config.parser.js';
export {
  CacheRegionsError,
  CacheConfigError,
  CacheKeyError,
  CacheKeyTooLongError,
  CacheStoreError,
  CacheUnsupportedError,
} from './errors.js';
export type { Ttl } from './ttl.js';
export {
  StoreValueTooLargeError,
  type CacheStore,
  type StoreEntry,
  type StoreSetOptions,
  type StoreKeyLimits,
} from './stores/cache-store.js';
