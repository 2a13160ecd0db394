/** Metadata key under which `@Cached` records its region and options. */
export const CACHED_METADATA = 'cache-regions:cached';
/** Injection token of the options given to forRoot / forRootAsync. */
export const CACHE_REGIONS_OPTIONS = 'cache-regions:options';
/** Injection token of the validated, resolved region configurations. */
export const CACHE_REGIONS_CONFIG = 'cache-regions:config';
/** Prefix of every region's injection token. */
export const REGION_TOKEN_PREFIX = 'cache-regions:region:';
