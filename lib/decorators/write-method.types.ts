/** A method `@CacheEvict` and `@CachePut` accept: one that returns a Promise. */
export type WriteMethod = (...args: any[]) => Promise<unknown>;

/**
 * `unknown` when the decorated method `M`'s arguments can be given to a mapper taking `A` (its
 * first parameters, in order); else a type naming the mismatch, so the decorator does not apply.
 */
type MapperFits<M extends WriteMethod, A extends unknown[]> = Parameters<M> extends [...A, ...unknown[]]
  ? unknown
  : { 'the arguments mapper must accept the decorated method\'s arguments': A; got: Parameters<M> };

/** `unknown` when `M` resolves to a value the cached method could return; else the mismatch. */
type ResultFits<M extends WriteMethod, V> = Awaited<ReturnType<M>> extends V
  ? unknown
  : { 'the decorated method must resolve to what the cached method caches': V; got: Awaited<ReturnType<M>> };

/**
 * A decorator for an async method whose arguments the arguments mapper (taking `A`) accepts: a
 * compile error on a method with other parameters, or one that does not return a Promise.
 */
export type EvictingDecorator<A extends unknown[]> = <M extends WriteMethod>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M> & MapperFits<M, A>,
) => void;

/** As {@link EvictingDecorator}, and the method must resolve to a `V` (what is stored). */
export type PuttingDecorator<A extends unknown[], V> = <M extends WriteMethod>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M> & MapperFits<M, A> & ResultFits<M, V>,
) => void;
