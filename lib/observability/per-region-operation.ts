/**
 * One value per (region, operation), made by `make` on first use and kept: the metrics adapters
 * bind a labelled series or build an attribute set here once, since finding one by its labels on
 * every call is not free on the hot path.
 */
export class PerRegionOperation<T> {
  private readonly byRegion = new Map<string, Map<string, T>>();

  constructor(private readonly make: (region: string, operation: string) => T) {}

  get(region: string, operation: string): T {
    let byOperation = this.byRegion.get(region);
    if (byOperation === undefined) {
      byOperation = new Map();
      this.byRegion.set(region, byOperation);
    }
    let value = byOperation.get(operation);
    if (value === undefined) {
      value = this.make(region, operation);
      byOperation.set(operation, value);
    }
    return value;
  }
}
