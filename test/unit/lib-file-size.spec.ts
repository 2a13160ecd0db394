import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Small rooms: a file in lib/ that grows past this has more than one job; split it along a seam.
const MAX_LINES = 350;

const lib = join(dirname(fileURLToPath(import.meta.url)), '../../lib');
const files = (readdirSync(lib, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));

describe('lib/ file sizes', () => {
  it.each(files.map((file) => [relative(lib, join(lib, file))]))(`lib/%s has at most ${MAX_LINES} lines`, (file) => {
    const lines = readFileSync(join(lib, file), 'utf8').split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(MAX_LINES);
  });
});
