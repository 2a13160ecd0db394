/** Error messages of bootstrap checks: each names the item and says how to fix it. */

const list = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : '(none)');

export const unknownCachedRegion = (region: string, className: string, method: string, configured: readonly string[]) =>
  `Unknown cache region "${region}" used by @Cached on ${className}.${method}(); configured regions: ${list(configured)}. ` +
  `Fix the name, or add the region to CacheRegionsModule.forRoot({ regions }).`;

export const unknownInjectedRegion = (region: string, className: string, configured: readonly string[]) =>
  `Unknown cache region "${region}" injected with @InjectRegion into ${className}; configured regions: ${list(configured)}. ` +
  `Fix the name, or add the region to CacheRegionsModule.forRoot({ regions }).`;

export const syncCachedMethod = (region: string, className: string, method: string, returned: string) =>
  `@Cached('${region}') on ${className}.${method}(): the method is declared to return ${returned}, but a cached method must return a Promise or an Observable. ` +
  `Make it async (or return an Observable).`;

/** What a method returned, for {@link uncheckedReturn}: `an Observable`, `a number`, `null`. */
export const describeReturned = (value: unknown): string => {
  if (value === null || value === undefined) return String(value);
  const what = typeof value === 'object' ? ((value.constructor as Function | undefined)?.name ?? 'null-prototype object') : typeof value;
  return `${/^[aeiouAEIOU]/.test(what) ? 'an' : 'a'} ${what}`;
};

export const uncheckedReturn = (region: string, className: string, method: string, returned: string) =>
  `@Cached('${region}') on ${className}.${method}() returned ${returned}, but a cached method must return a Promise ` +
  `(or be declared to return an Observable). This build emits no decorator metadata, so the return type could not be checked at startup. ` +
  `Make the method async, or build with decorator metadata to have it checked at startup and Observables supported: ` +
  `tsc with "emitDecoratorMetadata": true, or SWC with jsc.transform.decoratorMetadata: true (the Nest CLI's "nest start -b swc" sets it).`;

export const noDecoratorMetadata = (methods: readonly string[]) =>
  `${methods.length} @Cached method${methods.length === 1 ? '' : 's'} (${methods.slice(0, 5).join(', ')}${methods.length > 5 ? ', …' : ''}) ` +
  `carry no decorator metadata: this build does not emit it (SWC without decoratorMetadata, esbuild, tsx, plain JavaScript). ` +
  `Their return types are checked at their first call instead of at startup, and they must return Promises. ` +
  `Build with decorator metadata (tsc "emitDecoratorMetadata": true; SWC jsc.transform.decoratorMetadata: true) to check them now.`;

export const asyncRegionsMismatch = (missing: readonly string[], extra: readonly string[], declared: readonly string[]) =>
  `CacheRegionsModule.forRootAsync: the factory's regions do not match the declared "regions" (${list(declared)}).` +
  (missing.length > 0 ? ` Missing from the factory's result: ${list(missing)}.` : '') +
  (extra.length > 0 ? ` Not declared in "regions": ${list(extra)}.` : '') +
  ` Declare every region name in forRootAsync({ regions: [...] }) and configure exactly those in the options it makes.`;

export const asyncOptionsSource = (given: readonly string[]) =>
  `CacheRegionsModule.forRootAsync needs exactly one of useFactory, useClass or useExisting to make the options` +
  (given.length === 0 ? ', and got none' : `, and got ${given.join(' and ')}${given.length === 1 ? ' that is not a function or class' : ''}`) +
  `. E.g. forRootAsync({ regions: ['functions'], imports: [ConfigModule], inject: [ConfigService], useFactory: (config: ConfigService) => ({ regions: { … } }) }).`;

export const invalidIsGlobal = (method: string, value: unknown) =>
  `Invalid option "isGlobal" in CacheRegionsModule.${method}(): expected true or false, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}. Leave it out for a global module.`;

export const cachedWithoutModule = () =>
  `@Cached on a controller handler needs CacheRegionsModule, which this app does not import (or, with isGlobal: false, the controller's module does not). Import CacheRegionsModule.forRoot({ regions: { … } }) (or forRootAsync) in the root module.`;

export const scopedProviderSkipped = (className: string, method: string) =>
  `@Cached on ${className}.${method}() is not applied: ${className} is request- or transient-scoped, and only singleton providers are wrapped. ` +
  `Move the cached method to a singleton provider, or use an injected region's getOrSet().`;

export const unconfiguredRegionUsed = (region: string, configured: readonly string[]) =>
  `Cache region "${region}" is not configured; configured regions: ${list(configured)}. Add it to CacheRegionsModule.forRoot({ regions }).`;

/** Who writes a namespace, for {@link namespaceConflict}. */
export interface NamespaceWriterInfo {
  /** `ReportsService.build() (provider ReportsService in module BillingModule)`. */
  description: string;
  /** Whether the `namespace` option chose the namespace (a string or a function's result). */
  explicit: boolean;
  /** Providers may use a per-instance namespace; controller handlers may not. */
  kind: 'provider' | 'controller';
}

const origin = (writer: NamespaceWriterInfo) =>
  `${writer.description} ${writer.explicit ? 'through its namespace option' : 'by default'}`;

export const namespaceConflict = (
  region: string,
  namespace: string,
  first: NamespaceWriterInfo,
  second: NamespaceWriterInfo,
  why: string,
  className: string,
) =>
  `Cache region "${region}": namespace "${namespace}" is written by ${origin(first)} and by ${origin(second)} — ${why}. ` +
  `They would share entries: a call to one could be answered with the other's cached result. ` +
  `To share entries on purpose, set the same explicit namespace on both: @Cached('${region}', { namespace: '${namespace}' }). ` +
  `To keep them apart, give each its own namespace string` +
  (first.kind === 'provider' && second.kind === 'provider'
    ? `, or a per-instance namespace built from a field that tells the instances apart: ` +
      `@Cached('${region}', { namespace: (instance: ${className || 'Service'}) => \`${namespace}:\${instance.id}\` }).`
    : '.');

export const anonymousCachedClass = (region: string, method: string, where: string) =>
  `@Cached('${region}') on ${method}() of an anonymous class (${where}): the class has no name, so its keys would have no namespace of their own. ` +
  `Give the class a name, or set a namespace: @Cached('${region}', { namespace: 'reports.build' }).`;

export const invalidNamespace = (region: string, className: string, method: string, problem: string) =>
  `@Cached('${region}') on ${className}.${method}(): option "namespace" ${problem}. ` +
  `Use a non-empty string, or on a provider method a function of the instance returning one, e.g. { namespace: (instance: ${className}) => \`${className}.${method}:\${instance.id}\` }.`;

export const handlerNamespaceNotString = (region: string, className: string, method: string) =>
  `@Cached('${region}') on controller handler ${className}.${method}(): option "namespace" must be a string there (a function of the instance applies to provider methods only). ` +
  `Use a namespace string, e.g. { namespace: '${className}.${method}' }.`;

export const handlerOnlyOption = (region: string, className: string, method: string, option: string) =>
  `@Cached('${region}') on ${className}.${method}(): option "${option}" applies to controller handlers only, and ${className} is a provider, whose calls are keyed by their arguments. ` +
  `Remove "${option}"; to choose what the key is made of, use the "key" option.`;

export const notAFunctionOption = (region: string, className: string, method: string, option: string, got: string) =>
  `@Cached('${region}') on ${className}.${method}(): option "${option}" must be a function; got ${got}.`;

export const notAStringListOption = (region: string, className: string, method: string, option: string) =>
  `@Cached('${region}') on ${className}.${method}(): option "${option}" must be an array of non-empty strings, e.g. ${option === 'methods' ? "['GET', 'HEAD']" : "['user', 'accept-language']"}.`;

export const unsafeMethodsWithoutKey = (region: string, className: string, method: string, httpMethods: readonly string[]) =>
  `@Cached('${region}') on controller handler ${className}.${method}() caches ${httpMethods.join(', ')} requests without a "key" option. ` +
  `Keys of a handler are made of the method, path, query and vary parts only — not the body — so two requests with different bodies would share one entry. ` +
  `Add a key that includes what makes these requests differ, e.g. { methods: [${httpMethods.map((m) => `'${m}'`).join(', ')}], key: (req) => req.body }, or cache GET and HEAD only.`;

export const routeMethodNotCached = (
  region: string,
  className: string,
  method: string,
  routeMethod: string,
  cachedMethods: readonly string[],
) =>
  `@Cached('${region}') on controller handler ${className}.${method}(), a ${routeMethod} route, would never cache: it caches ${cachedMethods.join(', ')} requests only. ` +
  `Remove @Cached, or cache ${routeMethod} requests with { methods: ['${routeMethod}'], key: (req) => … } built from what the handler reads.`;

/**
 * Who asks for a call's key, for the messages of `keyForCall`: `keyFor()` itself, or an
 * invalidation (`CacheRegions.invalidate()`…), each with how to call it with an instance.
 */
export interface KeyCaller {
  /** `keyFor()`, `CacheRegions.invalidate()`. */
  readonly name: string;
  /** The call with an instance as target: `region.keyFor(instance, 'quote', args)`. */
  readonly withInstance: (method: string) => string;
}

/** The caller of keyFor() messages: `region.keyFor()`. */
export const KEY_FOR: KeyCaller = { name: 'keyFor()', withInstance: (method) => `region.keyFor(instance, '${method}', args)` };

/** keyFor() messages: the region, the method and what to pass instead. */
export const keyForNoMethod = (region: string, className: string, method: string) =>
  `keyFor() in region "${region}": ${className} has no method "${method}". Pass the class (or an instance) and the name of its @Cached method.`;

export const keyForOtherRegion = (region: string, className: string, method: string, cachedIn: string) =>
  `keyFor() in region "${region}": ${className}.${method}() is cached in region "${cachedIn}". Call keyFor() on that region.`;

export const keyForNeedsInstance = (region: string, className: string, method: string, reason: string, caller = KEY_FOR) =>
  `${caller.name} in region "${region}": ${className}.${method}() ${reason}, so the class alone cannot tell its key. ` +
  `Pass the instance instead of the class: ${caller.withInstance(method)}.`;

export const keyForAnonymous = (region: string, method: string, caller = KEY_FOR) =>
  `${caller.name} in region "${region}": ${method}() belongs to an anonymous class, which has no default namespace. ` +
  `Give the class a name, or set the namespace option of its @Cached.`;

export const keyForBadNamespace = (region: string, className: string, method: string, problem: string, caller = KEY_FOR) =>
  `${caller.name} in region "${region}": option "namespace" of ${className}.${method}() ${problem}. It must return a non-empty string for this instance.`;

/**
 * Invalidation messages. `who` is the API call (`CacheRegions.invalidate()`) or the decorator and
 * where it is (`@CacheEvict(LeaseService, 'expiration') on LeaseAdmin.update()`).
 */
export const invalidationNotAClass = (who: string, got: string) =>
  `${who}: the target must be a class, or an instance of one, with a @Cached method; got ${got}. ` +
  `Pass the provider class (or its instance), e.g. (LeaseService, 'expiration', …args).`;

export const invalidationNoMethod = (who: string, className: string, method: string) =>
  `${who}: ${className} has no method "${method}". Name a @Cached method of ${className}.`;

export const invalidationNotCached = (who: string, className: string, method: string) =>
  `${who}: ${className}.${method}() has no @Cached, so no entry of it is ever stored. ` +
  `Name the @Cached method whose entries the write changes, or add @Cached('region') to ${className}.${method}().`;

export const invalidationOfHandler = (who: string, className: string, method: string) =>
  `${who}: ${className}.${method}() is a controller handler; its keys are made from requests, not from arguments, so it cannot be named here ` +
  `(invalidation covers provider methods). Cache a service method the handler calls and name that one, or clear the region.`;

export const invalidationUnconfiguredRegion = (
  who: string,
  className: string,
  method: string,
  region: string,
  configured: readonly string[],
) =>
  `${who}: ${className}.${method}() is @Cached in region "${region}", which this app does not configure; configured regions: ${list(configured)}. ` +
  `Fix the region name in its @Cached, or add the region to CacheRegionsModule.forRoot({ regions }).`;

export const invalidationNoInstance = (who: string, className: string, method: string, orElse: string) =>
  `${who}: ${className} is not a singleton provider of this app, so no instance of it runs ${method}() here. ` +
  `Add ${className} to the providers of a module of this app, or ${orElse}.`;

export const invalidationManyInstances = (who: string, className: string, method: string, count: number, call: string) =>
  `${who}: this app has ${count} instances of ${className}, each with its own entries of ${method}(), so the class does not say whose. ` +
  `Pass the instance: ${call}.`;

export const invalidationOnController = (who: string) =>
  `${who}: @CacheEvict and @CachePut apply to provider methods only, and this is a controller handler (Nest binds routes before the app can wrap them). ` +
  `Move the write into a service method the handler calls, and decorate that.`;

export const invalidationOnScopedProvider = (who: string, className: string) =>
  `${who}: ${className} is request- or transient-scoped, and only singleton providers are wrapped, so this invalidation would never happen. ` +
  `Move the method to a singleton provider, or call CacheRegions.invalidate() from it.`;

export const invalidationOnCachedMethod = (who: string) =>
  `${who}: the method is @Cached too, and a write is not to be cached (its calls would be answered from the cache and never write). ` +
  `Remove @Cached from it, or move the invalidation to the method that writes.`;

export const invalidationSyncMethod = (who: string, returned: string) =>
  `${who}: the method is declared to return ${returned}, but it must return a Promise: the entries are invalidated when it resolves. Make it async.`;

export const invalidationBadMapper = (who: string, got: string) =>
  `${who}: the arguments mapper must be a function of the decorated method's arguments returning the cached method's arguments, ` +
  `e.g. (user: User, lease: Lease) => [user, lease.start]; got ${got}.`;

export const invalidationMapperResult = (who: string, target: string, got: string) =>
  `${who}: the arguments mapper returned ${got}; it must return the arguments of ${target}() as an array, e.g. (user: User, lease: Lease) => [user, lease.start].`;

export const invalidationUnknownRegion = (who: string, region: string, configured: readonly string[]) =>
  `${who}: unknown cache region "${region}"; configured regions: ${list(configured)}. Fix the name, or add the region to CacheRegionsModule.forRoot({ regions }).`;

export const invalidationPutAmbiguous = (who: string, className: string, method: string, count: number) =>
  `${who}: this app has ${count} instances of ${className}, each with its own entries of ${method}(), so one result cannot be stored for them all. ` +
  `Use @CacheEvict (it evicts the entry of every instance), or store it yourself: regions.set(value, instance, '${method}', …args).`;
