/** Injection token of the sample's prom-client `Registry` (one per app, so test apps never share it). */
export const METRICS_REGISTRY = 'sample:metrics-registry';
