import type { RequestHandler } from './$types';
import { metrics } from '../../../platform/metrics';

export const GET: RequestHandler = async () =>
  new Response(await metrics.metrics(), { headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } });
