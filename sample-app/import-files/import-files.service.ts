import { readFile, realpath } from 'node:fs/promises';
import { relative } from 'node:path';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Cached } from '../../lib/index.js';
import { IMPORT_DIR } from './import-dir.token.js';
import { isInside, resolveImportPath } from './import-path.js';

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Errors that mean "no such import file" for a name that passed {@link resolveImportPath}. */
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

/** A requested name as error messages echo it: quoted, and cut short so a huge name is not sent back whole. */
const quoted = (name: string): string => JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);

/** Import files, read from the import directory and cached in the `files` region (5 days). */
@Injectable()
export class ImportFilesService {
  /** How many times a file was read from the import directory (cache misses). */
  diskReads = 0;

  constructor(@Inject(IMPORT_DIR) private readonly importDir: string) {}

  /** The absolute path of the import file `name`; 400 when the name escapes the directory. */
  pathOf(name: string): string {
    const resolved = resolveImportPath(this.importDir, name);
    if ('refused' in resolved) {
      throw new BadRequestException(`Import file name ${quoted(name)} refused: ${resolved.refused}.`);
    }
    return resolved.path;
  }

  /**
   * The bytes of the import file at `path` (from {@link pathOf}), cached by path. On a miss the
   * real path is checked again, so a symlink cannot lead outside the directory. Missing files,
   * directories, names the file system refuses (too long, symlink loops) and escapes are 404 and
   * never cached; the answer never shows the absolute path.
   */
  @Cached('files')
  async readFile(path: string): Promise<Buffer> {
    let realFile: string;
    let realDir: string;
    try {
      [realFile, realDir] = await Promise.all([realpath(path), realpath(this.importDir)]);
    } catch (error) {
      if (NOT_FOUND_CODES.has(errorCode(error) ?? '')) throw this.notFound(path);
      throw error;
    }
    if (!isInside(realDir, realFile)) throw this.notFound(path);
    try {
      const bytes = await readFile(realFile);
      this.diskReads++;
      return bytes;
    } catch (error) {
      if (errorCode(error) === 'EISDIR') throw this.notFound(path);
      throw error;
    }
  }

  private notFound(path: string): NotFoundException {
    // Name the file relative to the import directory only: the absolute layout is not the client's business.
    return new NotFoundException(`No import file ${quoted(relative(this.importDir, path))}.`);
  }
}
