import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { DateTimeResolver } from 'graphql-scalars';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';
import { gatewayError, toContract } from '../pipeline/errors.js';
import { parseNodePoolId } from '../resolvers/ids.js';
import { resolveWindow } from '../resolvers/pool-metrics.js';
import { LIMITS, nodePoolId } from '../schema/argument-rules.js';
import { metricsWindow } from '../schema/pool-metrics.js';
import { METRIC_TYPES, type MetricType } from '../upstream/models.js';
import { sendErrors } from './replies.js';

/** The path of the export: `/export/nodepools/{id}/metrics.csv`. */
export const METRICS_CSV_PATH = /^\/export\/nodepools\/([^/]+)\/metrics\.csv$/;

/** What one export asks for, checked. */
export interface MetricsCsvRequest {
  poolId: string;
  types: MetricType[];
  start: Date;
  end: Date;
  samples: number;
}

const parseDate = (value: string) => DateTimeResolver.parseValue(value) as Date;

/** The same rules as `NodePool.metrics(types, window)`, on the query string's values. */
const rules = z.object({
  id: nodePoolId,
  types: z
    .array(z.enum(METRIC_TYPES, { message: `must be one of ${METRIC_TYPES.join(', ')}` }))
    .min(1, 'must name at least one metric type')
    .max(LIMITS.enumList, `must hold at most ${LIMITS.enumList} values`),
  window: metricsWindow,
});

/**
 * Reads and checks an export's query string: `types` (comma-separated or
 * repeated), `start` and `end` (ISO 8601 date-times), `samples` (0..1000):
 * the arguments of the `metrics` field, with its defaults (the hour before
 * now, 20 samples). Returns the problems when there are any.
 */
export function parseMetricsCsvRequest(
  rawId: string,
  query: URLSearchParams,
  now: Date,
): { ok: true; request: MetricsCsvRequest } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const date = (name: 'start' | 'end') => {
    const value = query.get(name);
    if (value === null) return undefined;
    try {
      return parseDate(value);
    } catch {
      problems.push(`${name}: must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z`);
      return undefined;
    }
  };
  const samplesText = query.get('samples');
  const samples = samplesText === null ? undefined : Number(samplesText);
  if (samplesText !== null && !/^\d+$/.test(samplesText)) problems.push('samples: must be an integer');
  const window = { start: date('start'), end: date('end'), samples };
  const types = query
    .getAll('types')
    .flatMap((value) => value.split(','))
    .map((type) => type.trim())
    .filter(Boolean);
  let id: string | undefined;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    problems.push('id: is not valid percent-encoding');
  }
  if (problems.length > 0 || id === undefined) return { ok: false, problems };
  const parsed = rules.safeParse({ id, types, window });
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`),
    };
  }
  const resolved = resolveWindow(window, now);
  return {
    ok: true,
    request: { poolId: parseNodePoolId(id), types: [...new Set(parsed.data.types)], ...resolved },
  };
}

/** A name fit for a file: letters, digits, `.`, `_` and `-`. */
const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');
const compactTime = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** The download's file name: the pool and the window, e.g. `a100-metrics-20260131T110000Z-20260131T120000Z.csv`. */
export function csvFileName(poolName: string, start: Date, end: Date): string {
  return `${fileSafe(poolName)}-metrics-${compactTime(start)}-${compactTime(end)}.csv`;
}

/**
 * Serves `GET /export/nodepools/{id}/metrics.csv`: the caller's token (as
 * for GraphQL), the `metrics` field's checks, then Run:ai's `text/csv`
 * answer of
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`
 * streamed through as a download. Refusals and Run:ai's failures are JSON
 * errors with the codes and statuses of the error contract.
 */
export async function serveMetricsCsv(
  req: IncomingMessage,
  res: ServerResponse,
  rawId: string,
  contextOf: () => Promise<GatewayContext>,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendErrors(res, [gatewayError('METHOD_NOT_ALLOWED', 'The export takes GET only.')]);
  }
  let requestId: string | undefined;
  try {
    // Everything that can throw stays inside: a failure here answers this request, never ends the process.
    const ctx = await contextOf();
    requestId = ctx.requestId;
    if (ctx.token === undefined) {
      const message = ctx.credentialsProblem
        ? `Credentials refused: ${ctx.credentialsProblem}.`
        : 'No credentials: send `Authorization: Bearer <token>` with a Run:ai token.';
      return sendErrors(res, [gatewayError('UNAUTHENTICATED', message)]);
    }
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const parsed = parseMetricsCsvRequest(rawId, query, ctx.now);
    if (!parsed.ok) {
      return sendErrors(res, [
        gatewayError('BAD_USER_INPUT', `Invalid export: ${parsed.problems.join('; ')}`, {
          extensions: { requestId: ctx.requestId },
        }),
      ]);
    }
    const { poolId, types, start, end, samples } = parsed.request;
    const pool = await ctx.api.getNodePool(poolId);
    const csv = await ctx.api.getNodePoolMetricsCsv({
      clusterId: pool.clusterId,
      nodepoolName: pool.name,
      start,
      end,
      numberOfSamples: samples,
      metricTypes: types,
    });
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${csvFileName(pool.name, start, end)}"`,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') {
      csv.destroy();
      res.end();
      return;
    }
    await pipeline(csv, res);
  } catch (error) {
    if (res.headersSent) {
      // The download began: cut it short, so the client sees a failed transfer rather than a short file.
      res.destroy();
      return;
    }
    return sendErrors(res, toContract([error], requestId));
  }
}
