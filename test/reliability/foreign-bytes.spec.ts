/**
 * Bytes written under our memcached keys by a foreign client (another program, an older version,
 * an attacker with network access to memcached), with a raw memjs client, under the real keys
 * (`store.cacheKey(...)`):
 * - arbitrary bytes read as misses: `@Cached` runs the method and returns its own result;
 * - bytes that pass our format checks but carry a crafted payload may decode to a value (nothing
 *   without a secret can tell an attacker's well-formed entry from ours), but never to an object
 *   with a foreign prototype, an accessor, or a change to any built-in prototype.
 */
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import fc from 'fast-check';
import memjs, { type Client } from 'memjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { serialize } from 'node:v8';
import { Cached, type CacheRegion, CacheRegions, CacheRegionsModule } from '../../lib/index.js';
import { CODEC_HEADER_BYTES, encodeValue } from '../../lib/serialization/value-codec.js';
import { encodeEntry, ENTRY_HEADER_BYTES } from '../../lib/stores/memcached/entry-format.js';
import type { MemcachedStore } from '../../lib/stores/memcached.store.js';
import { describeMemcached, useMemcached } from '../support/memcached.js';

const RUNS = { numRuns: process.env.SOAK === '1' ? 3_000 : 250 };

interface Profile {
  id: number;
  name: string;
  roles: string[];
}

const profileOf = (id: number): Profile => ({ id, name: `user-${id}`, roles: id % 2 === 0 ? ['admin'] : ['reader'] });

@Injectable()
class ProfileService {
  runs = 0;

  @Cached('functions')
  async profile(id: number): Promise<Profile> {
    this.runs++;
    return profileOf(id);
  }
}

@Module({ providers: [ProfileService] })
class ProfileModule {}

/** Prototypes a decoded value may have: the built-ins the codec itself produces. */
const SAFE_PROTOTYPES = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  DataView.prototype,
  Number.prototype,
  String.prototype,
  Boolean.prototype,
  BigInt.prototype,
  Buffer.prototype,
  ...[Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((type) => type.prototype),
  ...[
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  ].map((type) => type.prototype),
]);

/** Own property names of the built-in prototypes, to detect prototype pollution. */
function builtInShape(): string {
  return [Object.prototype, Array.prototype, Function.prototype, Map.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(','))
    .join('|');
}

/** Throws when anything in the value graph has an unexpected prototype or an accessor property. */
function assertInert(value: unknown, seen = new Set<object>()): void {
  if (typeof value === 'function') throw new Error('a decoded value is a function');
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (!SAFE_PROTOTYPES.has(proto)) throw new Error(`a decoded object has a foreign prototype: ${String(proto)}`);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if (descriptor.get || descriptor.set) throw new Error(`a decoded object has an accessor ${String(key)}`);
    assertInert(descriptor.value, seen);
  }
  if (value instanceof Map) for (const [k, v] of value) (assertInert(k, seen), assertInert(v, seen));
  if (value instanceof Set) for (const item of value) assertInert(item, seen);
}

describeMemcached('foreign bytes under our memcached keys', () => {
  const memcached = useMemcached();
  let app: TestingModule;
  let region: CacheRegion;
  let profiles: ProfileService;
  let raw: Client;
  const shape = builtInShape();

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [
        CacheRegionsModule.forRoot({
          keyPrefix: 'foreign',
          regions: { functions: { store: 'memcached', servers: [memcached().address], ttl: '1h' } },
        }),
        ProfileModule,
      ],
    }).compile();
    app.useLogger(false);
    await app.init();
    region = app.get(CacheRegions).get('functions');
    profiles = app.get(ProfileService);
    raw = memjs.Client.create(memcached().address, { logger: { log: () => undefined }, retries: 1 });
  });
  afterAll(async () => {
    raw?.close();
    await app?.close();
  });
  afterEach(() => {
    expect(builtInShape()).toBe(shape);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const logicalKey = (id: number) => region.keyFor(ProfileService, 'profile', [id]);
  const cacheKey = (id: number) => (region.store as MemcachedStore).cacheKey(region.fit(logicalKey(id)));

  /** Our entry's layout with `payload` in place of the value: what passes every header check. */
  /** Our 18-byte entry header, the codec's marker and kind (v8 serialization, or JSON), then `payload`. */
  function ourHeaderWith(payload: Buffer, kind: 'v8' | 'json' = 'v8'): Buffer {
    const template = encodeEntry({ value: null, expiresAt: Date.now() + 3_600_000, freshUntil: 0 });
    const marker = encodeValue(null, 0, { json: kind === 'json' }).subarray(0, CODEC_HEADER_BYTES);
    return Buffer.concat([template.subarray(0, ENTRY_HEADER_BYTES), marker, payload]);
  }

  it('arbitrary bytes read as misses: @Cached runs the method and returns its own result', async () => {
    const errorsBefore = region.stats().errors;
    let iteration = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.uint8Array({ maxLength: 2_048 }), async (drawn, bytes) => {
        fc.pre(bytes.length > 0);
        // A key of its own per run: the previous run's cached result is written after it returns,
        // and could otherwise land on top of this run's foreign bytes (shrinking repeats values).
        const id = drawn + 1_000_001 * ++iteration;
        await raw.set(await cacheKey(id), Buffer.from(bytes), { expires: 600 });
        expect(await region.get(logicalKey(id))).toBeUndefined();
        const runs = profiles.runs;
        expect(await profiles.profile(id)).toEqual(profileOf(id));
        expect(profiles.runs).toBe(runs + 1);
      }),
      RUNS,
    );
    // A foreign item is a miss, not a store failure: the breaker and the error count stay out of it.
    expect(region.stats().errors).toBe(errorsBefore);
    expect(region.stats().breakerOpen).toBe(false);
  });

  it('bytes behind our own header and codec marker read as misses or as inert plain data', async () => {
    // Our own v8 and JSON payloads, damaged: truncated, flipped, spliced with random bytes.
    const values = [profileOf(1), [1, 'a', { b: new Date(0) }], new Map([['k', new Set([1n])]]), 'text', 42];
    const jsonValues = [{ ...profileOf(1), at: new Date(0) }, [1, 'a', { b: [new Date(0)] }], 'text'];
    const seeds = [
      ...values.map((value) => ({ kind: 'v8' as const, payload: serialize(value) })),
      ...jsonValues.map((value) => ({
        kind: 'json' as const,
        payload: encodeValue(value, 0, { json: true }).subarray(CODEC_HEADER_BYTES),
      })),
    ];
    let decoded = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 1_000_000 }),
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(),
        async (id, seed, flips, tail, cut) => {
          const payload = Buffer.from(seed.payload);
          for (const [at, mask] of flips) payload[at % payload.length] ^= mask;
          const bytes = ourHeaderWith(Buffer.concat([payload.subarray(0, 1 + (cut % payload.length)), tail]), seed.kind);
          await raw.set(await cacheKey(id), bytes, { expires: 600 });
          const value = await region.get(logicalKey(id));
          if (value !== undefined) decoded++;
          assertInert(value);
          // The region still works for that key afterwards.
          await region.delete(logicalKey(id));
          expect(await profiles.profile(id)).toEqual(profileOf(id));
        },
      ),
      RUNS,
    );
    // Some damaged payloads still decode: the check above was exercised on real values.
    expect(decoded).toBeGreaterThan(0);
  });

  it('crafted entries with __proto__, constructor and prototype keys decode to plain own data', async () => {
    const crafted: unknown[] = [
      JSON.parse('{"__proto__": {"polluted": true}, "id": 1}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
      [JSON.parse('{"__proto__": {"isAdmin": true}}')],
      new Map([['__proto__', JSON.parse('{"polluted": true}')]]),
      { nested: JSON.parse('{"a": {"__proto__": {"toString": "not a function"}}}') },
    ];
    for (const [index, value] of crafted.entries()) {
      const id = 2_000_000 + index;
      await raw.set(await cacheKey(id), ourHeaderWith(serialize(value)), { expires: 600 });
      const read = await region.get<Record<string, unknown>>(logicalKey(id));
      expect(read).toEqual(value); // a well-formed entry is a value: see the security notes
      assertInert(read);
    }
    // `__proto__` came back as an own data property, not as the object's prototype.
    const first = await region.get<Record<string, unknown>>(logicalKey(2_000_000));
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(Object.hasOwn(first!, '__proto__')).toBe(true);
    expect(first!.polluted).toBeUndefined();
    const [inArray] = (await region.get<Record<string, unknown>[]>(logicalKey(2_000_002)))!;
    expect(Object.getPrototypeOf(inArray)).toBe(Object.prototype);
    expect(inArray.isAdmin).toBeUndefined();
  });

  it('garbage under the region generation key reads as a clear, never as an error', async () => {
    await profiles.profile(1);
    await sleep(20);
    const runs = profiles.runs;
    const generationKey = (await cacheKey(1)).split('|')[0] + '|!gen';
    await raw.set(generationKey, Buffer.from('not a generation \u0000\u00ff'), { expires: 0 });
    await sleep(1_100); // the store re-reads the generation at least once a second
    const errors = region.stats().errors;
    expect(await profiles.profile(1)).toEqual(profileOf(1));
    expect(profiles.runs).toBe(runs + 1);
    expect(region.stats().errors).toBe(errors);
  });
});
