/** Where an argument came from, for error messages. */
export interface KeyContext {
  /** Name of the region the key is for. */
  region: string;
  /** Class of the decorated method, when the key is a method call's. */
  className?: string;
  /** Name of the decorated method, when the key is a method call's. */
  methodName?: string;
}
