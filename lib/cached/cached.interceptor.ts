import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { defer, from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { CACHED_METADATA } from '../cache-regions.constants.js';
import type { CachedMetadata } from '../decorators/cached.decorator.js';
import { CacheRegions } from '../regions/cache-regions.service.js';
import { ttlToMs } from '../ttl.js';
import { createCallKeyer } from './call-key.js';
import { httpKeyMaterial, type RequestLike } from './http-key-material.js';

type Ref<T> = T;

const DEFAULT_METHODS = ['GET', 'HEAD'];

/**
 * `@Cached` on a controller handler: caches the handler's response body under a key made of the
 * HTTP method, path, sorted query and the `vary` parts. Other HTTP methods pass through.
 * Provider methods are not intercepted: they are wrapped at bootstrap instead.
 */
@Injectable()
export class CachedInterceptor implements NestInterceptor {
  private readonly plans = new WeakMap<Function, { keyOf: (args: readonly unknown[]) => string; ttlMs?: number }>();

  constructor(@Inject(CacheRegions) private readonly regions: Ref<CacheRegions>) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    const metadata = Reflect.getMetadata(CACHED_METADATA, handler) as CachedMetadata | undefined;
    if (!metadata || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RequestLike>();
    const methods = (metadata.options.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase());
    if (!methods.includes((request.method ?? 'GET').toUpperCase())) return next.handle();

    const region = this.regions.get(metadata.region);
    const options = metadata.options;
    if (options.condition && !options.condition(request)) {
      region.countBypass();
      return next.handle();
    }
    let plan = this.plans.get(handler);
    if (!plan) {
      const className = context.getClass().name;
      plan = {
        keyOf: createCallKeyer(region.name, className, handler.name, { namespace: options.namespace }, (key, ctx) =>
          region.fit(key, ctx),
        ),
        ttlMs:
          options.ttl === undefined
            ? undefined
            : ttlToMs(options.ttl, `@Cached('${region.name}') option "ttl" on ${className}.${handler.name}()`),
      };
      this.plans.set(handler, plan);
    }
    // On a handler, `key` receives the request: (request) => material.
    const key = plan.keyOf(options.key ? [options.key(request)] : httpKeyMaterial(request, options.vary ?? []));
    const ttlMs = plan.ttlMs;
    return defer(() =>
      from(
        region.lookup(
          key,
          async () => {
            const values = await lastValueFrom(next.handle().pipe(toArray()));
            return values.length === 0 ? undefined : values[values.length - 1];
          },
          { ttlMs, unless: options.unless },
        ),
      ),
    );
  }
}
