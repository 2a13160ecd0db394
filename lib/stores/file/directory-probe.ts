import { randomBytes } from 'node:crypto';
import { open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from './file-system.js';

/**
 * Checks that a region directory can be used: created if missing, a probe file written (one byte,
 * so a full disk shows too) and removed, and the directory read. Resolves when all of that works;
 * rejects with a message saying what failed and whether reads still work (a read-only or full
 * file system still serves the entries already there).
 */
export async function probeDirectory(dir: string): Promise<void> {
  let writeError: unknown;
  try {
    // Not mkdir's `recursive`: under /proc it never settles (Node 20), and it reports ENOENT for EROFS.
    await makeDirectory(dir);
    const probe = join(dir, `.probe-${process.pid.toString(36)}-${randomBytes(6).toString('hex')}`);
    const handle = await open(probe, 'wx', 0o600);
    try {
      await handle.write(Buffer.of(0));
    } finally {
      await handle.close();
      await unlink(probe).catch(() => undefined);
    }
  } catch (error) {
    writeError = error;
  }
  let readError: unknown;
  try {
    await readdir(dir);
  } catch (error) {
    readError = error;
  }
  if (writeError === undefined && readError === undefined) return;
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
  throw new Error(
    readError === undefined
      ? `cannot write to ${dir} (${reason(writeError)}); entries already there can still be read`
      : `cannot write to or read ${dir} (${reason(writeError ?? readError)})`,
  );
}
