import { namespaceConflict, type NamespaceWriterInfo } from '../cache-regions.messages.js';
import { CacheConfigError } from '../errors.js';

/** One writer of a namespace: a cached method of one class, called on one instance. */
export interface NamespaceWriter extends NamespaceWriterInfo {
  /** The class whose method is cached. */
  readonly owner: Function;
  readonly methodName: string;
  /** The instance whose calls are cached (one instance behind several tokens is one writer). */
  readonly instance: object | undefined;
}

/**
 * The namespaces of an app's cached methods, per region, with who writes each. Keys are
 * `namespace|arguments`, so two writers of one namespace would answer each other's calls: the
 * registry refuses that at startup unless every writer of the namespace chose it explicitly.
 *
 * One registry per app start (the explorer's), so two apps in one process never meet here.
 */
export class NamespaceRegistry {
  readonly #writers = new Map<string, Map<string, NamespaceWriter[]>>();

  /**
   * Records that `writer` writes `namespace` in `region`.
   * @throws CacheConfigError when another writer (another class, method or instance) writes it
   *   too and either of them did not set the namespace explicitly.
   */
  claim(region: string, namespace: string, writer: NamespaceWriter): void {
    let byNamespace = this.#writers.get(region);
    if (!byNamespace) this.#writers.set(region, (byNamespace = new Map()));
    const writers = byNamespace.get(namespace);
    if (!writers) {
      byNamespace.set(namespace, [writer]);
      return;
    }
    if (writers.some((other) => isSameWriter(other, writer))) return;
    // Explicit writers were all accepted together, so one implicit writer is the only way to conflict.
    const other = writers.find((w) => !w.explicit || !writer.explicit);
    if (other) {
      const why = whyDistinct(other, writer);
      throw new CacheConfigError(namespaceConflict(region, namespace, other, writer, why, writer.owner.name));
    }
    writers.push(writer);
  }
}

function isSameWriter(a: NamespaceWriter, b: NamespaceWriter): boolean {
  return a.owner === b.owner && a.methodName === b.methodName && a.instance === b.instance;
}

/** What tells the two writers apart, in words, e.g. `two instances of PriceService`. */
function whyDistinct(a: NamespaceWriter, b: NamespaceWriter): string {
  const name = a.owner.name || 'an anonymous class';
  if (a.owner !== b.owner) {
    return a.owner.name === b.owner.name ? `two different classes named ${name}` : 'two different classes';
  }
  if (a.methodName !== b.methodName) return `two methods of ${name}`;
  return `two instances of ${name}`;
}
