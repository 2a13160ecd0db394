/** The parts of an HTTP request the interceptor reads (Express and Fastify requests both have them). */
export interface RequestLike {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers?: Record<string, string | string[] | undefined>;
  user?: unknown;
}

/**
 * Key material of a controller call without a `key` option: what the handler can see of the
 * request, never the request object itself.
 *
 * In the key, in this order:
 * - the HTTP method, HEAD counted as GET (Express answers HEAD with the GET handler);
 * - the path as sent (not decoded: `/a%20b` and `/a b` are two entries, which is safe);
 * - the query pairs, see {@link queryMaterial};
 * - the vary parts, see {@link varyMaterial}; by default `'user'` when a guard set `request.user`.
 *
 * Not in the key: the body, cookies, headers not named in `vary` (the host among them), the
 * protocol and the client's address. Route parameters are in it through the path.
 * @param vary the `vary` option; `undefined` is the default, see {@link defaultVary}.
 */
export function httpKeyMaterial(request: RequestLike, vary: readonly string[] | undefined): unknown[] {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = request.originalUrl ?? request.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const material: unknown[] = [method === 'HEAD' ? 'GET' : method, path, queryMaterial(queryAt === -1 ? '' : url.slice(queryAt + 1))];
  return material.concat(varyMaterial(request, vary ?? defaultVary(request)));
}

/**
 * The default `vary` of a handler without `vary` and `key`: the user when the request carries
 * one (`request.user` set, e.g. by an auth guard), so one user's cached response is never
 * another's; nothing for anonymous requests. `vary: []` opts out (entries shared by all users).
 */
export function defaultVary(request: RequestLike): readonly string[] {
  return request.user === undefined || request.user === null ? NO_VARY : USER_VARY;
}

const NO_VARY: readonly string[] = [];
const USER_VARY: readonly string[] = ['user'];

/**
 * One part per `vary` name: `'user'` → `request.user.id` (or the whole `request.user` when it has
 * no `id`, `null` without a user); any other name → that request header (lower-cased name,
 * `null` when absent).
 */
export function varyMaterial(request: RequestLike, vary: readonly string[]): unknown[] {
  const material: unknown[] = [];
  for (const part of vary) {
    if (part === 'user') {
      const user = request.user as { id?: unknown } | undefined | null;
      material.push(['user', user?.id ?? user ?? null]);
    } else {
      const name = part.toLowerCase();
      material.push([name, request.headers?.[name] ?? null]);
    }
  }
  return material;
}

/**
 * The query string as `[name, value]` pairs (decoded as URLSearchParams does), so that two
 * queries share an entry only when every query parser hands the handler the same values:
 * - pairs are stably sorted by name, so `?a=1&b=2` and `?b=2&a=1` share an entry;
 * - the values of one name keep their order: `?tag=user&tag=admin` gives the handler
 *   `['user', 'admin']`, not `?tag=admin&tag=user`'s `['admin', 'user']`;
 * - names are sorted by their part before the first `[` or `.`, so the forms a nesting parser
 *   (qs, Express's "extended") merges into one value — `a`, `a[]`, `a[0]`, `a.b` — keep their
 *   relative order too.
 */
export function queryMaterial(query: string): Array<[string, string]> {
  if (query === '') return [];
  const pairs = [...new URLSearchParams(query)];
  if (pairs.length < 2) return pairs;
  const ranked = pairs.map((pair) => ({ pair, group: nestingRoot(pair[0]) }));
  // Array.prototype.sort is stable: pairs of one group keep the order they were sent in.
  ranked.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  return ranked.map((entry) => entry.pair);
}

/** `a[b][c]` → `a`, `a.b` → `a`, `a` → `a`: the top-level name a nesting parser files it under. */
function nestingRoot(name: string): string {
  const cut = name.search(/[[.]/);
  return cut <= 0 ? name : name.slice(0, cut);
}
