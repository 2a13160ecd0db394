import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { SampleSettings } from './cache-config.js';

/** Logs, once the app is up, which store each region got and where files come from. */
export class StartupNotes implements OnApplicationBootstrap {
  private readonly logger = new Logger('SampleApp');

  constructor(private readonly settings: SampleSettings) {}

  onApplicationBootstrap(): void {
    const { memcachedServers, cacheDir, importDir } = this.settings;
    if (memcachedServers.length > 0) {
      this.logger.log(`Region "functions" on memcached ${memcachedServers.join(', ')} (from MEMCACHED_SERVERS).`);
    } else {
      this.logger.log(
        'MEMCACHED_SERVERS is not set: region "functions" uses the in-process memory store. Set MEMCACHED_SERVERS=host:port[,host:port] to use memcached.',
      );
    }
    this.logger.log(`Region "files" caches import files under ${cacheDir} (CACHE_DIR); import files come from ${importDir} (IMPORT_DIR).`);
  }
}
