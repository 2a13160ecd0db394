/**
 * The app of the key fuzz spec and of its child process: one `@Cached` method per region, so
 * `region.keyFor(KeyedService, …)` gives the same keys in both processes.
 */
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Cached, CacheRegionsModule } from '../../lib/index.js';

/** A region prefix long enough that the memcached namespace is hashed (over 64 characters). */
export const LONG_REGION_PREFIX = `tenant-${'x'.repeat(60)}`;

@Injectable()
export class KeyedService {
  runs = 0;

  @Cached('functions')
  async compute(...args: unknown[]): Promise<number> {
    this.runs++;
    return args.length;
  }

  @Cached('long')
  async computeLong(...args: unknown[]): Promise<number> {
    this.runs++;
    return args.length;
  }

  @Cached('files')
  async load(...args: unknown[]): Promise<number> {
    this.runs++;
    return args.length;
  }
}

@Module({ providers: [KeyedService] })
class KeyedModule {}

/** The app's modules: regions `functions` and `long` on `memcached`, `files` under `dir`. */
export function keyedAppModule(memcached: string, dir: string): DynamicModule {
  return {
    module: class KeyedAppModule {},
    imports: [
      CacheRegionsModule.forRoot({
        keyPrefix: 'fuzz',
        regions: {
          functions: { store: 'memcached', servers: [memcached], ttl: '1h' },
          long: { store: 'memcached', servers: [memcached], ttl: '1h', keyPrefix: LONG_REGION_PREFIX },
          files: { store: 'file', dir, ttl: '1h' },
        },
      }),
      KeyedModule,
    ],
  };
}
