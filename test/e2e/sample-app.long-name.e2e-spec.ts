/**
 * The sample app refuses import names that no file system takes (a path segment over 255 bytes)
 * with a 400, and answers 404 for names the file system refuses otherwise: never a 500, and never
 * with the absolute import path in the answer or in the log.
 */
import type { LoggerService } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../sample-app/app.module.js';
import { makeSampleDirs } from './sample-app.harness.js';

/** Keeps every log call's arguments as text. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private keep = (...args: unknown[]) => {
    this.lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : String(arg))).join(' '));
  };
  log = this.keep;
  error = this.keep;
  warn = this.keep;
  debug = this.keep;
  verbose = this.keep;
  fatal = this.keep;
}

describe('sample app: import names the file system cannot take', () => {
  let dirs: Awaited<ReturnType<typeof makeSampleDirs>>;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let logger: CapturingLogger;

  beforeEach(async () => {
    dirs = await makeSampleDirs();
    logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forEnv({ CACHE_DIR: dirs.cacheDir, IMPORT_DIR: dirs.importDir })],
    }).compile();
    app = moduleRef.createNestApplication({ logger });
    await app.listen(0, '127.0.0.1');
    http = request(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
  });
  afterEach(async () => {
    await app.close();
    await dirs.remove();
  });

  /** Neither the answer nor anything logged since the request names a directory of the machine. */
  function expectNoPath(text: string, logsBefore: number): void {
    for (const secret of [dirs.root, dirs.importDir]) {
      expect(text).not.toContain(secret);
      for (const line of logger.lines.slice(logsBefore)) expect(line).not.toContain(secret);
    }
  }

  it.each([
    ['300 ASCII bytes', 'a'.repeat(296) + '.txt'],
    ['256 bytes', 'b'.repeat(252) + '.png'],
    ['128 euro signs (384 bytes)', '€'.repeat(128)],
    ['a long segment after an encoded slash', `sub/${'c'.repeat(300)}`],
  ])('answers 400 for a name of %s, without the path', async (_what, name) => {
    const logsBefore = logger.lines.length;
    const response = await http.get(`/imports/${encodeURIComponent(name)}`);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^Import file name ".{64}…" refused: the file name is longer than 255 bytes\.$/u);
    expectNoPath(response.text, logsBefore);
  });

  it('answers 404 for a 255-byte name that does not exist, without the path', async () => {
    const logsBefore = logger.lines.length;
    const name = 'd'.repeat(251) + '.txt';
    const response = await http.get(`/imports/${name}`);
    expect(response.status).toBe(404);
    expect(response.body.message).toBe(`No import file "${'d'.repeat(64)}…".`);
    expectNoPath(response.text, logsBefore);
  });

  it('answers 404 when the whole path is too long for the file system, without the path', async () => {
    // Each segment is fine, the path as a whole is over PATH_MAX (4096 bytes): ENAMETOOLONG.
    const logsBefore = logger.lines.length;
    const name = Array.from({ length: 20 }, () => 'e'.repeat(250)).join('/');
    const response = await http.get(`/imports/${encodeURIComponent(name)}`);
    expect(response.status).toBe(404);
    expectNoPath(response.text, logsBefore);
  });

  it('still serves the shipped files', async () => {
    const response = await http.get('/imports/lease-terms.txt').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
  });
});
