import { Controller, Delete, Get, NotFoundException, Param } from '@nestjs/common';
import { CacheRegions, type RegionStats } from '../../lib/index.js';

/** `GET /cache/stats` and `DELETE /cache/:region`. Unauthenticated: a sample, not an admin console. */
@Controller('cache')
export class CacheAdminController {
  constructor(private readonly regions: CacheRegions) {}

  /** Counters of every region, by region name. */
  @Get('stats')
  stats(): Record<string, RegionStats> {
    return this.regions.stats();
  }

  /** Drops every entry of one region; 404 for a name that is not configured. */
  @Delete(':region')
  async clear(@Param('region') name: string): Promise<{ cleared: string }> {
    if (!this.regions.has(name)) {
      throw new NotFoundException(
        `Unknown cache region ${JSON.stringify(name)}; configured regions: ${this.regions.names().join(', ')}.`,
      );
    }
    await this.regions.get(name).clear();
    return { cleared: name };
  }
}
