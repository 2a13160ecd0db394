// `node --import ./bench/support/register.mjs bench/run.ts`: runs the bench's and the library's
// TypeScript compiled file by file with TypeScript's own transpiler and the project's decorator
// settings, so the library runs as `tsc` builds it (legacy decorators with `design:*` metadata,
// native async, no helpers). tsx would also run it, but esbuild adds a `__name()` call to every
// named closure (tsx forces `keepNames`), which costs the library on its hot paths and not the
// peers, whose code is already JavaScript.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
