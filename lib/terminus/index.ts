/**
 * `nest-cache-regions/terminus`: the health indicator for `@nestjs/terminus` 12, an optional peer
 * dependency.
 */
export {
  CacheRegionsHealthIndicator,
  DEFAULT_PING_TIMEOUT_MS,
  type CacheRegionsHealthOptions,
  type CacheRegionsHealthCheckOptions,
} from './cache-regions.health.js';
