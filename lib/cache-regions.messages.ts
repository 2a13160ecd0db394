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

export const asyncRegionsMismatch = (missing: readonly string[], extra: readonly string[], declared: readonly string[]) =>
  `CacheRegionsModule.forRootAsync: the factory's regions do not match the declared "regions" (${list(declared)}).` +
  (missing.length > 0 ? ` Missing from the factory's result: ${list(missing)}.` : '') +
  (extra.length > 0 ? ` Not declared in "regions": ${list(extra)}.` : '') +
  ` Declare every region name in forRootAsync({ regions: [...] }) and configure exactly those in useFactory.`;

export const scopedProviderSkipped = (className: string, method: string) =>
  `@Cached on ${className}.${method}() is not applied: ${className} is request- or transient-scoped, and only singleton providers are wrapped. ` +
  `Move the cached method to a singleton provider, or use an injected region's getOrSet().`;

export const unconfiguredRegionUsed = (region: string, configured: readonly string[]) =>
  `Cache region "${region}" is not configured; configured regions: ${list(configured)}. Add it to CacheRegionsModule.forRoot({ regions }).`;
