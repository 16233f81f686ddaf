import { Controller, Get, Header, Module } from '@nestjs/common';
import { Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process's one registry: every metric of the service, served at `/metrics`. Labels never carry credentials. */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [metrics] });
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
  return new Histogram({ name, help, labelNames, registers: [metrics], ...(buckets ? { buckets } : {}) });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => Promise<void> | void): Gauge<L> {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [metrics],
    collect() {
      return collect(this);
    },
  });
}

/** Latency buckets in seconds, from sub-millisecond hot paths to slow requests. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const httpDuration = histogram('inviaro_http_request_duration_seconds', 'HTTP requests by route and status', ['method', 'route', 'status'], LATENCY_BUCKETS);

/** The route pattern a request matched, never its raw path (which may hold ids); known once it is answered. */
export function routePattern(request: Request): string {
  return (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
}

/** Times every HTTP request, errors included, by its route pattern. */
export function httpMetrics(request: Request, response: Response, next: () => void): void {
  const stop = httpDuration.startTimer({ method: request.method });
  response.once('finish', () => stop({ route: routePattern(request), status: String(response.statusCode) }));
  next();
}

@Controller()
class MetricsController {
  @Get('metrics')
  @Header('content-type', metrics.contentType)
  scrape(): Promise<string> {
    return metrics.metrics();
  }
}

/** `/metrics` in Prometheus text format. */
@Module({ controllers: [MetricsController] })
export class MetricsModule {}
