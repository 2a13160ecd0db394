import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// The published face of the package: the type declarations `npm run build` writes (emitted here
// in memory with the build's own tsconfig) must list what the README's "Exports" table and its
// CacheRegion table document, no more and no less.

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const ENTRIES: Record<string, string> = {
  'nest-cache-regions': 'lib/index.ts',
  'nest-cache-regions/terminus': 'lib/terminus/index.ts',
  'nest-cache-regions/prometheus': 'lib/observability/prometheus/index.ts',
  'nest-cache-regions/opentelemetry': 'lib/observability/opentelemetry/index.ts',
};

/** The declarations the build emits, by path relative to `dist/`. */
function emittedDeclarations(): Map<string, string> {
  const configPath = join(root, 'tsconfig.build.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  })!;
  const program = ts.createProgram({
    rootNames: Object.values(ENTRIES).map((entry) => join(root, entry)),
    options: { ...config.options, emitDeclarationOnly: true, declaration: true, declarationMap: false, noEmit: false },
  });
  const out = new Map<string, string>();
  program.emit(undefined, (fileName, text) => {
    if (fileName.endsWith('.d.ts')) out.set(relative(config.options.outDir!, fileName).replaceAll('\\', '/'), text);
  });
  return out;
}

/** The names a declaration entry exports, following its re-exports through `declarations`. */
function exportedNames(declarations: Map<string, string>, entry: string): string[] {
  const names: string[] = [];
  const source = ts.createSourceFile(entry, declarations.get(entry)!, ts.ScriptTarget.Latest);
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) names.push(element.name.text);
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const name = (statement as ts.DeclarationStatement).name;
      if (name && ts.isIdentifier(name)) names.push(name.text);
    }
  }
  return names.sort();
}

/** The names in the README's "Exports" table row(s) for `from`. */
function documentedExports(from: string): string[] {
  const table = readme.slice(readme.indexOf('## Exports'), readme.indexOf('## Limits'));
  const names = new Set<string>();
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 3 || !(cells[1] === `\`${from}\`` || cells[1].startsWith(`\`${from}\` —`))) continue;
    // The names are the backticked words at the top level of the cell, not those in parentheses.
    const topLevel = cells[2].replace(/\([^)]*\)/g, '');
    for (const match of topLevel.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) names.add(match[1]);
  }
  return [...names].sort();
}

/** The public members of class `name` in a declaration file: what a user can call. */
function publicMembers(declaration: string, name: string): string[] {
  const source = ts.createSourceFile('x.d.ts', declaration, ts.ScriptTarget.Latest);
  const cls = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name)!;
  return cls.members
    .filter((member) => !ts.getModifiers(member as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword))
    .filter((member) => !ts.isConstructorDeclaration(member))
    .map((member) => (member.name as ts.Identifier).text)
    .sort();
}

describe('the published type declarations', () => {
  const declarations = emittedDeclarations();

  it.each(Object.entries(ENTRIES))('%s exports exactly what the README documents', (from, entry) => {
    const emitted = entry.replace(/^lib\//, '').replace(/\.ts$/, '.d.ts');
    expect(exportedNames(declarations, emitted)).toEqual(documentedExports(from));
  });

  it('show CacheRegion with the members the README documents, and none of its internals', () => {
    const members = publicMembers(declarations.get('regions/cache-region.d.ts')!, 'CacheRegion');
    const section = readme.slice(readme.indexOf('## `@InjectRegion(name)` and `CacheRegion`'), readme.indexOf('## Run the sample'));
    // The first column of the member table: `get<T>(key)`, `delete(key)` / `has(key)`, `name`, `options`…
    const firstCells = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1]);
    const documented = new Set(firstCells.flatMap((cell) => [...cell.matchAll(/`([a-zA-Z]+)/g)].map((match) => match[1])));
    expect(members).toEqual([...documented].sort());
    for (const internal of ['store', 'fit', 'getOrCompute', 'countBypass', 'close', 'ttlOption']) {
      expect(members).not.toContain(internal);
    }
  });
});
