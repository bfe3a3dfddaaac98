import { Registry, collectDefaultMetrics, Counter, Histogram } from 'prom-client';

/** The process's Prometheus registry, served at /metrics. Modules add their own metrics to it. */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics, prefix: 'opstower_' });

export const httpRequests = new Counter({
  name: 'opstower_http_requests_total',
  help: 'HTTP requests served, by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metrics]
});

export const httpDuration = new Histogram({
  name: 'opstower_http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metrics]
});

export const tileDuration = new Histogram({
  name: 'opstower_tile_compute_seconds',
  help: 'Time to compute one board tile, by board and tile',
  labelNames: ['board', 'tile'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metrics]
});

export const tilePushes = new Counter({
  name: 'opstower_tile_pushes_total',
  help: 'Tile updates pushed to board rooms, by board',
  labelNames: ['board'] as const,
  registers: [metrics]
});
