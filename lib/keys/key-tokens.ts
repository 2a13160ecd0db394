/**
 * The tokens of key material that need no walking: strings, numbers and class names, plus the
 * interface through which encoders of containers reach back into the walker.
 */

/** Characters that make a string need JSON escaping (or are not valid UTF-16 on their own). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A bare field or class name; anything else is quoted so it always ends where it should. */
export const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Up to this length a plain loop finds characters to escape faster than {@link NEEDS_ESCAPE}. */
const SHORT_STRING = 32;

/** JSON quoting: injective, and leaves no lone surrogate that a UTF-8 store would mangle. */
export function quote(text: string): string {
  return (text.length <= SHORT_STRING ? shortNeedsEscape(text) : NEEDS_ESCAPE.test(text))
    ? JSON.stringify(text)
    : `"${text}"`;
}

/** {@link NEEDS_ESCAPE} as a loop: most arguments are short strings, where a regex costs more. */
function shortNeedsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

/** `String(n)` is exact (shortest round-trip form) but prints -0 as "0". */
export function numberToken(n: number): string {
  return n === 0 && 1 / n < 0 ? '-0' : String(n);
}

/** The name of the object's class (its prototype's `constructor`), `''` when it has none. */
export function className(obj: object): string {
  const ctor: unknown = (Object.getPrototypeOf(obj) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === 'function' ? ctor.name : '';
}

/** The class name bare when it is an identifier, quoted otherwise, so it always ends where it should. */
export function classTag(obj: object): string {
  const name = className(obj);
  return IDENTIFIER.test(name) ? name : quote(name);
}

/**
 * The walker's entry points, handed to the encoders of built-ins and library types so that they
 * encode what they contain without importing the walker (which imports them). `ancestors` is the
 * chain of containers above, for cycle and depth checks.
 */
export interface NestedEncoder {
  /** The token of any value. */
  value(value: unknown, ancestors: object[]): string;
  /** `[a,b]`: the token of a list of values, a hole written `~`. */
  array(items: readonly unknown[], ancestors: object[]): string;
  /** `{a:1}`: own enumerable string-keyed fields, sorted; array indices left out when `skipIndices`. */
  fields(obj: object, ancestors: object[], skipIndices: boolean): string;
}
