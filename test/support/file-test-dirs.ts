import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp directory; `remove()` deletes it and everything in it. */
export async function makeTempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `ncr-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Every file and directory below `root` (not `root` itself), as absolute paths. */
export async function listTree(root: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = async (dir: string) => {
    for (const item of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory()) {
        dirs.push(path);
        await visit(path);
      } else {
        files.push(path);
      }
    }
  };
  await visit(root);
  return { files, dirs };
}

/** What {@link countFanout} found below a region directory. */
export interface FanoutCount {
  /** First-level fan-out directories (`<d0d1>`): at most 256. */
  firstLevels: number;
  /** Leaf directories (`<d0d1>/<d2d3>`). */
  leaves: number;
  /** Leaf directories with nothing in them. */
  emptyLeaves: number;
  /** Files in the leaves (entries and temporary files). */
  files: number;
  /** Sum of the sizes of the entry files. */
  entryBytes: number;
}

/**
 * Counts a region's fan-out tree while other processes change it: a directory or file that
 * vanishes between listing and looking is skipped (so the count is no snapshot).
 */
export async function countFanout(regionDir: string): Promise<FanoutCount> {
  const count: FanoutCount = { firstLevels: 0, leaves: 0, emptyLeaves: 0, files: 0, entryBytes: 0 };
  const list = (dir: string) => readdir(dir, { withFileTypes: true }).catch(() => undefined);
  for (const first of (await list(regionDir)) ?? []) {
    if (!first.isDirectory() || !/^[0-9a-f]{2}$/.test(first.name)) continue;
    const leaves = await list(join(regionDir, first.name));
    if (leaves === undefined) continue;
    count.firstLevels++;
    for (const leaf of leaves) {
      const leafDir = join(regionDir, first.name, leaf.name);
      const names = await list(leafDir);
      if (names === undefined) continue;
      count.leaves++;
      if (names.length === 0) count.emptyLeaves++;
      for (const name of names) {
        count.files++;
        if (/^[0-9a-f]{64}$/.test(name.name)) {
          count.entryBytes += (await stat(join(leafDir, name.name)).catch(() => undefined))?.size ?? 0;
        }
      }
    }
  }
  return count;
}

/** Entry files (64 hex characters) and temporary files below a region directory. */
export async function regionFiles(regionDir: string): Promise<{ entries: string[]; temps: string[] }> {
  const { files } = await listTree(regionDir).catch(() => ({ files: [] as string[] }));
  return {
    entries: files.filter((path) => /[0-9a-f]{64}$/.test(path)),
    temps: files.filter((path) => path.endsWith('.tmp')),
  };
}

/**
 * Mounts a small tmpfs at a new directory (root only), for real ENOSPC and EROFS errors: tests
 * run as root, which ignores permission bits, so chmod cannot make a directory unwritable.
 * Returns `undefined` when mounting is not possible here.
 */
export async function mountTmpfs(parent: string, sizeBytes: number): Promise<
  { path: string; remountReadOnly(): void; unmount(): void } | undefined
> {
  const path = join(parent, 'tmpfs');
  await mkdir(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', path], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return {
    path,
    remountReadOnly: () => execFileSync('mount', ['-o', 'remount,ro', path], { stdio: 'ignore' }),
    unmount: () => execFileSync('umount', [path], { stdio: 'ignore' }),
  };
}
