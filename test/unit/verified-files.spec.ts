import { SETTLED_MS, VerifiedFiles, type FileVersion } from '../../lib/stores/file/verified-files.js';

const NOW = 1_800_000_000_000;
const version = (changes: Partial<FileVersion> = {}): FileVersion => ({
  ino: 42,
  size: 1_000,
  mtimeMs: NOW - 5_000,
  ctimeMs: NOW - 5_000,
  ...changes,
});

describe('VerifiedFiles', () => {
  it('knows a checked version of a path, and only that version', () => {
    const files = new VerifiedFiles();
    files.add('/a', version(), NOW);
    expect(files.has('/a', version())).toBe(true);
    expect(files.has('/b', version())).toBe(false);
    expect(files.has('/a', version({ ino: 43 }))).toBe(false);
    expect(files.has('/a', version({ size: 999 }))).toBe(false);
    expect(files.has('/a', version({ mtimeMs: NOW - 4_000 }))).toBe(false);
    expect(files.has('/a', version({ ctimeMs: NOW - 4_000 }))).toBe(false);
  });

  it('does not remember a version changed less than SETTLED_MS ago', () => {
    const files = new VerifiedFiles();
    files.add('/fresh', version({ ctimeMs: NOW - SETTLED_MS + 1 }), NOW);
    files.add('/settled', version({ ctimeMs: NOW - SETTLED_MS }), NOW);
    expect(files.has('/fresh', version({ ctimeMs: NOW - SETTLED_MS + 1 }))).toBe(false);
    expect(files.has('/settled', version({ ctimeMs: NOW - SETTLED_MS }))).toBe(true);
    expect(files.size).toBe(1);
  });

  it('a newer check replaces the older version, and a fresh one drops it', () => {
    const files = new VerifiedFiles();
    files.add('/a', version(), NOW);
    files.add('/a', version({ ino: 7 }), NOW);
    expect(files.has('/a', version())).toBe(false);
    expect(files.has('/a', version({ ino: 7 }))).toBe(true);
    files.add('/a', version({ ino: 8, ctimeMs: NOW }), NOW);
    expect(files.has('/a', version({ ino: 7 }))).toBe(false);
    expect(files.size).toBe(0);
  });

  it('holds at most `capacity` paths, forgetting the least recently checked', () => {
    const files = new VerifiedFiles(3);
    for (const path of ['/1', '/2', '/3']) files.add(path, version(), NOW);
    files.add('/1', version(), NOW); // checked again: now the most recent
    files.add('/4', version(), NOW);
    expect(files.size).toBe(3);
    expect(['/1', '/2', '/3', '/4'].filter((path) => files.has(path, version()))).toEqual(['/1', '/3', '/4']);
  });

  it('forgets one path, or all', () => {
    const files = new VerifiedFiles();
    files.add('/a', version(), NOW);
    files.add('/b', version(), NOW);
    files.delete('/a');
    expect(files.has('/a', version())).toBe(false);
    expect(files.has('/b', version())).toBe(true);
    files.clear();
    expect(files.size).toBe(0);
  });
});
