import { onTestFinished } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheRegions, CacheStoreError, type CacheRegion } from '../../lib/index.js';
import { makeTempDir } from '../support/file-test-dirs.js';
import { closeRegionsApps, createRegionsApp } from '../support/regions-app.js';

// A store failure reaches the caller as one CacheStoreError of the region: its message names the
// region, the operation and the store's own words (the file store's path and errno); its cause is
// the failure itself, not another CacheStoreError.

afterEach(closeRegionsApps);

describe('store errors, failing closed', () => {
  it.each([
    ['set', (region: CacheRegion) => region.set('k', 'v'), /file store set\(\) failed/],
    ['delete', (region: CacheRegion) => region.delete('k'), /delete\(\) was not applied/],
  ])('%s on an unusable directory: one CacheStoreError, caused by the errno', async (_operation, run, wording) => {
    const root = await makeTempDir('store-errors');
    onTestFinished(() => root.remove());
    const blocker = join(root.path, 'not-a-dir');
    await writeFile(blocker, 'x');
    const app = await createRegionsApp({
      regions: { files: { store: 'file', dir: join(blocker, 'cache'), failOpen: false } },
    });
    const error = await run(app.get(CacheRegions).get('files')).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(CacheStoreError);
    expect(error!.message).toMatch(/^Region "files": /);
    expect(error!.message).toMatch(wording);
    expect(error!.message).toMatch(/could not .*not-a-dir.* \(ENOTDIR/);
    expect(error!.cause).not.toBeInstanceOf(CacheStoreError);
    expect((error!.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });
});
