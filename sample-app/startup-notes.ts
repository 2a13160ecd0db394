import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { CacheRegion } from '../lib/index.js';
import type { SampleSettings } from './cache-config.js';

/** Logs, once the app is up, which store each region got and where files come from. */
export class StartupNotes implements OnApplicationBootstrap {
  private readonly logger = new Logger('SampleApp');

  /**
   * @param settings the sample's settings.
   * @param functions the `functions` region: its `options` show a Redis url's password as
   *   `[redacted]`, so the url can be logged as the region sees it.
   */
  constructor(
    private readonly settings: SampleSettings,
    private readonly functions: CacheRegion,
  ) {}

  onApplicationBootstrap(): void {
    const { memcachedServers, redisUrl, cacheDir, importDir } = this.settings;
    if (memcachedServers.length > 0) {
      this.logger.log(`Region "functions" on memcached ${memcachedServers.join(', ')} (from MEMCACHED_SERVERS).`);
    } else if (redisUrl !== undefined) {
      const { url } = this.functions.options.redis;
      this.logger.log(`Region "functions" on Redis ${[url].flat().join(', ')} (from REDIS_URL).`);
    } else {
      this.logger.log(
        'Neither MEMCACHED_SERVERS nor REDIS_URL is set: region "functions" uses the in-process memory store. ' +
          'Set MEMCACHED_SERVERS=host:port[,host:port] to use memcached, or REDIS_URL=redis://host:port to use Redis.',
      );
    }
    this.logger.log(`Region "files" caches import files under ${cacheDir} (CACHE_DIR); import files come from ${importDir} (IMPORT_DIR).`);
  }
}
