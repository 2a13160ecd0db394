/** The parts of an HTTP request the interceptor reads (Express and Fastify requests both have them). */
export interface RequestLike {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers?: Record<string, string | string[] | undefined>;
  user?: unknown;
}

/**
 * Key material of a controller call: HTTP method, path, sorted query string and the `vary`
 * parts. The request object itself is never serialized. HEAD shares GET's entries, since
 * Express answers HEAD with the GET handler.
 */
export function httpKeyMaterial(request: RequestLike, vary: readonly string[]): unknown[] {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = request.originalUrl ?? request.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? [] : [...new URLSearchParams(url.slice(queryAt + 1))];
  // Sort by name, then value, so ?a=1&b=2 and ?b=2&a=1 share an entry (repeated names keep both).
  query.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const material: unknown[] = [method === 'HEAD' ? 'GET' : method, path, query];
  for (const part of vary) {
    if (part === 'user') {
      const user = request.user as { id?: unknown } | undefined | null;
      material.push(['user', user?.id ?? user ?? null]);
    } else {
      const value = request.headers?.[part.toLowerCase()];
      material.push([part.toLowerCase(), value ?? null]);
    }
  }
  return material;
}
