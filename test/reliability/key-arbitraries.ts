/**
 * fast-check arbitraries of method arguments, shared by the key fuzz spec and its child process
 * (same seed → same values in both, so their keys can be compared across processes).
 */
import fc from 'fast-check';

/** Text heavy in what memcached keys cannot hold and what UTF-8 makes long. */
export const awkwardText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(' ', '\t', '\n', '\r', '\u0000', '\u007f', '\u0085', '\u00a0', '\u2028', '\ufeff'),
    fc.constantFrom('é', '€', '😀', '\uD800', '\uDC00', '#sha256:', '|', '"', '\\', '/', '..', '%2e'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
  ),
  maxLength: 60,
});

/** Strings long enough that keys built from them are over memcached's 250-byte limit. */
const longText = fc.tuple(fc.string({ minLength: 200, maxLength: 400 }), awkwardText).map(([a, b]) => a + b);

/** fast-check's `anything` with every kind of value a key supports, objects of up to `maxKeys` keys. */
export function keyableAnything(maxKeys: number): fc.Arbitrary<unknown> {
  return fc.anything({
    maxDepth: 3,
    maxKeys,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
    stringUnit: 'binary',
  });
}

/** Every kind of value a key supports, deep and wide enough to make long keys. */
export const anyArgument = fc.oneof(
  { weight: 4, arbitrary: keyableAnything(5) },
  { weight: 2, arbitrary: awkwardText },
  { weight: 1, arbitrary: longText },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
);

/** An argument list of 0 to 4 arguments. */
export const argumentLists = fc.array(anyArgument, { maxLength: 4 });

/**
 * Values from a small domain of look-alikes (0/-0, 1/'1'/1n, null/undefined, Buffer/Uint8Array,
 * hole/undefined…), so two draws are often equal and often differ by one look-alike, with long
 * strings mixed in so that the pairs also go through the hashed-key path.
 */
export const { tricky } = fc.letrec<{ tricky: unknown }>((tie) => ({
  tricky: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(0, -0, 1, '1', 1n, '', 'a', '"', '|', ',', 'null', null, undefined, NaN, true),
    fc.constantFrom('x'.repeat(300), `${'x'.repeat(299)}y`, `${'é'.repeat(150)}`, `${'é'.repeat(149)}e`),
    fc.constantFrom(new Date(0), new Date(1)),
    fc.constantFrom<unknown>(Buffer.from([1]), new Uint8Array([1]), Buffer.from([1, 0])),
    fc.array(tie('tricky'), { maxLength: 2 }),
    fc.sparseArray(tie('tricky'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'a b', '"'), tie('tricky'), { maxKeys: 2, noNullPrototype: true }),
    fc.array(fc.tuple(tie('tricky'), tie('tricky')), { maxLength: 2 }).map((entries) => new Map(entries)),
    fc.array(tie('tricky'), { maxLength: 2 }).map((items) => new Set(items)),
  ),
}));
