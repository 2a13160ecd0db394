import { Observable, of } from 'rxjs';
import { Cached } from '../../lib/index.js';

// Compile-time checks, enforced by Vitest's typecheck (`npm test`, see vitest.config.ts) and by
// `npm run typecheck`: an expect-error directive that expects nothing is itself an error, so the
// check fails if @Cached ever accepts a synchronous method.
class TypedService {
  @Cached('a')
  async promised(n: number): Promise<number> {
    return n;
  }

  @Cached('a')
  observed(n: number): Observable<number> {
    return of(n);
  }

  // @ts-expect-error a synchronous method cannot be @Cached
  @Cached('a')
  plain(n: number): number {
    return n;
  }
}

describe('@Cached types', () => {
  it('accepts methods returning a Promise or an Observable (the rest is checked by tsc)', () => {
    expect(typeof TypedService.prototype.promised).toBe('function');
    expect(typeof TypedService.prototype.observed).toBe('function');
  });
});
