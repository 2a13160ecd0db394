/** The user a request runs as, set on `request.user` by {@link UserGuard}. */
export interface SampleUser {
  id: number;
  name: string;
}

/**
 * The sample's whole user directory, by the name sent in the `x-user` header. A real app would
 * check a token; the sample only needs distinct users to show per-user caching.
 */
export const SAMPLE_USERS: ReadonlyMap<string, SampleUser> = new Map([
  ['alice', { id: 1, name: 'Alice' }],
  ['bob', { id: 2, name: 'Bob' }],
  ['carol', { id: 3, name: 'Carol' }],
]);
