/**
 * Starts the sample app for e2e tests: its own temporary CACHE_DIR and a temporary copy of the
 * shipped import files (with a secret file beside it, for path-traversal tests), listening on a
 * free 127.0.0.1 port.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../sample-app/app.module.js';
import type { SampleEnv } from '../../sample-app/cache-config.js';

/** The shipped import files. */
export const SHIPPED_IMPORTS = resolve('sample-app/imports');
/** Content of the file next to the import directory that no request may read. */
export const SECRET_MARKER = 'TOP-SECRET-do-not-serve';

/** A running sample app and its directories. */
export interface SampleHarness {
  app: INestApplication;
  /** supertest agent bound to the app's server. */
  http: ReturnType<typeof request>;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Temporary root holding `cache/`, `imports/` and `secret.txt`. */
  root: string;
  cacheDir: string;
  importDir: string;
  /** Closes the app (not the directories). */
  close(): Promise<void>;
}

/** Makes a temp root with `imports/` (a copy of the shipped files), `cache/` and `secret.txt`. */
export async function makeSampleDirs(): Promise<{ root: string; cacheDir: string; importDir: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'ncr-sample-'));
  const importDir = join(root, 'imports');
  const cacheDir = join(root, 'cache');
  await cp(SHIPPED_IMPORTS, importDir, { recursive: true });
  await mkdir(cacheDir);
  await writeFile(join(root, 'secret.txt'), SECRET_MARKER);
  return { root, cacheDir, importDir, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Starts the sample with `env` (CACHE_DIR and IMPORT_DIR default to the given dirs). */
export async function startSample(
  dirs: { root: string; cacheDir: string; importDir: string },
  env: SampleEnv = {},
): Promise<SampleHarness> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forEnv({ CACHE_DIR: dirs.cacheDir, IMPORT_DIR: dirs.importDir, ...env })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return { app, http: request(url), url, ...dirs, close: () => app.close() };
}

/**
 * GET with the request path sent byte for byte (no URL normalization of `..` or `%2e`), as an
 * attacker's raw client would. Resolves status and body.
 */
export function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = httpRequest({ host: hostname, port: Number(port), path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}
