import { KeyMaterialProblem } from './key-material-problem.js';
import { className } from './key-tokens.js';

/**
 * Whether a class keeps state the key builder cannot read: `#private` fields. No reflection API
 * lists them, so the class's source text is read (once per prototype) for private field
 * declarations, and for the helpers that compilers emit when they lower such fields to WeakMaps
 * (TypeScript `__classPrivateFieldSet`, Babel `_classPrivateFieldInitSpec`, esbuild
 * `__privateAdd`). Built-in classes print `[native code]` and never match.
 *
 * A false alarm (such a declaration inside a string or comment of the class) only refuses a key
 * with an error saying what to do; a miss would let two different objects share a key. State kept
 * by hand in a module-level WeakMap or a closure cannot be found by any library; the README says so.
 */

/** `#name` declared as a field: at the start of a class element, ending in `=`, `;`, `}` or a line end. */
const PRIVATE_FIELD_DECLARATION = /(?:^|[{};])\s*(?:static\s+)?(?:accessor\s+)?#[A-Za-z_$\u00a0-\uffff][\w$\u00a0-\uffff]*\s*(?:[=;}]|$)/m;
/** Lowered private fields: the helpers TypeScript, Babel and esbuild/oxc emit for them. */
const LOWERED_PRIVATE_FIELD = /__classPrivateField|_classPrivateField|__privateAdd\(|__privateGet\(|__privateSet\(/;

/** Verdicts by prototype: the name of the class that declares private fields, or `null` for none. */
const verdicts = new WeakMap<object, string | null>();

/**
 * The name of the first class in `proto`'s chain (up to `Object.prototype`) whose source declares
 * private fields, or `undefined` when none does.
 */
export function classWithPrivateFields(proto: object): string | undefined {
  let verdict = verdicts.get(proto);
  if (verdict === undefined) {
    verdict = findPrivateFields(proto);
    verdicts.set(proto, verdict);
  }
  return verdict ?? undefined;
}

function findPrivateFields(start: object): string | null {
  for (let proto: object | null = start; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
    if (typeof ctor !== 'function') continue;
    let source: string;
    try {
      source = Function.prototype.toString.call(ctor);
    } catch {
      continue;
    }
    if (PRIVATE_FIELD_DECLARATION.test(source) || LOWERED_PRIVATE_FIELD.test(source)) {
      return ctor.name || '(anonymous class)';
    }
  }
  return null;
}

/** Throws when the object's class, or a class it extends, declares `#private` fields. */
export function refuseHiddenFields(obj: object): void {
  const proto = Object.getPrototypeOf(obj) as object | null;
  const hiding = proto === null ? undefined : classWithPrivateFields(proto);
  if (hiding === undefined) return;
  const name = className(obj);
  throw new KeyMaterialProblem(
    `is a ${name}${hiding === name ? ', whose class' : `, whose base class ${hiding}`} declares #private fields that the key builder cannot read`,
  );
}

/**
 * Lets through a class instance (of prototype `proto`) only when its class name and own
 * enumerable fields are all of its state the key builder can tell. Refused (rather than keyed by
 * what little shows): an instance with no own fields (its state sits in internal slots, private
 * fields or closures: Headers, Blob, a class with getters over `#fields`), a class that declares
 * `#private` fields, an object inheriting from a plain object (its inherited properties would be
 * left out), and an anonymous class (two of them could not be told apart).
 */
export function checkInstanceStateVisible(obj: object, proto: object): void {
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
  if (typeof ctor !== 'function' || ctor.prototype !== proto) {
    throw new KeyMaterialProblem(
      'inherits from a prototype that is not a class (Object.create(...)); its inherited properties would not be part of the key',
    );
  }
  const name = ctor.name;
  if (name === '') {
    throw new KeyMaterialProblem('is an instance of an anonymous class, which no key can tell apart from another anonymous class');
  }
  refuseHiddenFields(obj);
  if (Object.keys(obj).length === 0) {
    throw new KeyMaterialProblem(
      `is a ${name} with no own enumerable fields: its state (internal slots, private fields or closures) cannot be read to form a key`,
    );
  }
}
