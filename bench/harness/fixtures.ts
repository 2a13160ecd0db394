/** Values and arguments shared by the scenarios. */

/** A record of about 200 bytes as JSON (a Date, nested object and array included). */
export function profile(id: number): Record<string, unknown> {
  return {
    id,
    name: `User ${id} Example`,
    email: `user${id}@example.com`,
    active: id % 2 === 0,
    roles: ['admin', 'editor'],
    createdAt: new Date(1_700_000_000_000 + id),
    score: 98.5 + id,
    meta: { logins: 42 + id, lastIp: '10.0.0.1', plan: 'pro' },
  };
}

/** Distinct argument pairs `(number, short string)` used by the hit-path scenarios (a power of 2). */
export const ARG_PAIRS = 256;

/** `ARG_PAIRS` pairs of `(id, locale-like string)`. */
export const argPairs: readonly (readonly [number, string])[] = Array.from(
  { length: ARG_PAIRS },
  (_, i) => [1_000 + i, `de-${i % 7}`] as const,
);

/** The `i`-th argument pair, cycling through {@link argPairs}. */
export function pickArgs(i: number): readonly [number, string] {
  return argPairs[i & (ARG_PAIRS - 1)];
}

/** A user object of 10 fields, as a controller would pass it to a service. */
export const realisticUser = {
  id: 48_213,
  email: 'ann.example@example.com',
  name: 'Ann Example',
  role: 'manager',
  tenantId: 'tenant-7f3a',
  active: true,
  locale: 'de-DE',
  createdAt: '2023-04-01T08:00:00.000Z',
  plan: 'enterprise',
  quota: 25_000,
};

/** Realistic key material: the user, two date strings and 20 ids. */
export const realisticArgs: readonly unknown[] = [
  realisticUser,
  '2024-01-01',
  '2024-12-31',
  Array.from({ length: 20 }, (_, i) => 100_000 + i * 37),
];

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
