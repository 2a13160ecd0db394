import { Controller, Delete, Get, NotFoundException, Param, ServiceUnavailableException } from '@nestjs/common';
import { CacheRegions, CacheStoreError, type RegionStats } from '../../lib/index.js';

/** `GET /cache/stats` and `DELETE /cache/:region`. Unauthenticated: a sample, not an admin console. */
@Controller('cache')
export class CacheAdminController {
  constructor(private readonly regions: CacheRegions) {}

  /** Counters of every region, by region name. */
  @Get('stats')
  stats(): Record<string, RegionStats> {
    return this.regions.stats();
  }

  /**
   * Drops every entry of one region; 404 for a name that is not configured, 503 when the store
   * could not apply the clear (the old entries may still be served: retry once the store is back).
   */
  @Delete(':region')
  async clear(@Param('region') name: string): Promise<{ cleared: string }> {
    if (!this.regions.has(name)) {
      throw new NotFoundException(
        `Unknown cache region ${JSON.stringify(name)}; configured regions: ${this.regions.names().join(', ')}.`,
      );
    }
    try {
      await this.regions.get(name).clear();
    } catch (error) {
      if (!(error instanceof CacheStoreError)) throw error;
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        cleared: false,
        region: name,
        message: error.message,
      });
    }
    return { cleared: name };
  }
}
