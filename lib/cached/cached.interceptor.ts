import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { defer, from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { anonymousCachedClass, cachedWithoutModule, handlerNamespaceNotString, invalidNamespace } from '../cache-regions.messages.js';
import { getCachedMetadata, type CachedMetadata } from '../metadata/cached-metadata.js';
import { CacheConfigError, CacheKeyError } from '../errors.js';
import type { CacheRegion } from '../regions/cache-region.js';
import { CacheRegions } from '../regions/cache-regions.service.js';
import { createCallKeyer } from '../keys/call-key.js';
import { isNamespaceProblem, resolveHandlerNamespace } from '../keys/key-namespace.js';
import { cachedHttpMethods } from './cached-options.validation.js';
import { httpKeyMaterial, varyMaterial, type RequestLike } from './http-key-material.js';

/** How one handler is cached; built on its first request. */
interface HandlerPlan {
  readonly region: CacheRegion;
  /** Upper-case HTTP methods whose requests are cached. */
  readonly methods: readonly string[];
  readonly keyOf: (material: readonly unknown[]) => string;
  readonly ttlMs?: number;
}

/**
 * `@Cached` on a controller handler: caches the handler's response body under a key made of what
 * the handler sees of the request (see `http-key-material.ts`), or of the `key` option's material
 * plus the `vary` parts. Requests with other HTTP methods pass through. Provider methods are not
 * intercepted: they are wrapped at bootstrap instead, where handler options are also checked.
 */
@Injectable()
export class CachedInterceptor implements NestInterceptor {
  /** Plans by controller class, then handler: a handler inherited by two controllers has two namespaces. */
  private readonly plans = new WeakMap<Function, Map<Function, HandlerPlan>>();

  private readonly regions: CacheRegions;

  // Optional so that a missing CacheRegionsModule is reported as such, naming forRoot, instead
  // of as Nest's "can't resolve dependencies of CachedInterceptor".
  constructor(@Optional() @Inject(CacheRegions) regions: CacheRegions | undefined) {
    if (regions === undefined || regions === null) throw new CacheConfigError(cachedWithoutModule());
    this.regions = regions;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    const metadata = getCachedMetadata(handler);
    if (!metadata || context.getType() !== 'http') return next.handle();
    const controller = context.getClass();
    const plan = this.plans.get(controller)?.get(handler) ?? this.plan(handler, controller, metadata);
    const request = context.switchToHttp().getRequest<RequestLike>();
    if (!plan.methods.includes((request.method ?? 'GET').toUpperCase())) return next.handle();

    const { region } = plan;
    const options = metadata.options;
    if (options.condition && !options.condition(request)) {
      region.countBypass();
      return next.handle();
    }
    let key: string;
    try {
      // With `key`, its material (it receives the request) replaces method, path and query; the
      // vary parts are added only when `vary` is given.
      key = plan.keyOf(
        options.key
          ? [options.key(request), ...varyMaterial(request, options.vary ?? [])]
          : httpKeyMaterial(request, options.vary),
      );
    } catch (error) {
      if (error instanceof CacheKeyError && region.options.onKeyError === 'bypass') {
        region.countBypass();
        return next.handle();
      }
      throw error;
    }
    const ttlMs = plan.ttlMs;
    return defer(() =>
      from(
        region.getOrCompute(key, { ttlMs, unless: options.unless }, async () => {
          const values = await lastValueFrom(next.handle().pipe(toArray()));
          return values.length === 0 ? undefined : values[values.length - 1];
        }),
      ),
    );
  }

  private plan(handler: Function, controller: Function, metadata: CachedMetadata): HandlerPlan {
    const region = this.regions.get(metadata.region);
    const options = metadata.options;
    const className = controller.name;
    const methodName = handlerName(controller, handler);
    // The explorer refused bad namespaces at startup; this only keeps the two in step.
    const resolved = resolveHandlerNamespace(options.namespace, className, methodName);
    if (isNamespaceProblem(resolved)) {
      throw new CacheConfigError(
        resolved.kind === 'handler-function'
          ? handlerNamespaceNotString(region.name, className, methodName)
          : resolved.kind === 'anonymous'
            ? anonymousCachedClass(region.name, methodName, 'a controller')
            : invalidNamespace(region.name, className, methodName, resolved.problem),
      );
    }
    const plan: HandlerPlan = {
      region,
      methods: cachedHttpMethods(options),
      keyOf: createCallKeyer(
        resolved.namespace,
        { region: region.name, className, methodName },
        undefined,
        undefined,
        (key, ctx) => region.fit(key, ctx),
      ),
      ttlMs:
        options.ttl === undefined
          ? undefined
          : region.ttlOption(options.ttl, `@Cached('${region.name}') option "ttl" on ${className}.${methodName}()`),
    };
    let byHandler = this.plans.get(controller);
    if (!byHandler) this.plans.set(controller, (byHandler = new Map()));
    byHandler.set(handler, plan);
    return plan;
  }
}

/**
 * The property name under which `handler` sits on the controller's prototype chain — the name the
 * explorer checked — even when a decorator replaced the function with one of another name.
 */
function handlerName(controller: Function, handler: Function): string {
  for (let proto = controller.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && Object.getOwnPropertyDescriptor(proto, name)?.value === handler) return name;
    }
  }
  return handler.name;
}
