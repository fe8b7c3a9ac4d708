// Metrics: a small Prometheus registry, one process's metrics read off its log timeline, pm2's panel, and the merge of scrapes.
export * from './metric-registry';
export * from './exposition-merge';
export * from './rolling-window';
export * from './service-metrics';
export * from './pm2-metrics';
