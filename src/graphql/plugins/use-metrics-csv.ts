import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import { gatewayError } from '../../domain/errors.js';
import { resolveWindow } from '../../domain/metrics-window.js';
import type { Admission } from '../admission.js';
import type { GatewayContext } from '../context.js';
import { errorJson, headersOf, statusOf, toContract } from '../errors.js';
import type { EdgeFacts, ServerContext } from '../facts.js';

/** The path of the export: `/export/nodepools/{id}/metrics.csv`. */
export const METRICS_CSV_PATH = /^\/export\/nodepools\/([^/]+)\/metrics\.csv$/;

/**
 * The operation every export runs, through the same pipeline as any other:
 * the rate limit, credentials, the argument rules of `NodePool.metrics`,
 * the cost limit and call budget, the operation log, tracing, the response
 * cache and the error contract all apply to it by construction.
 */
const EXPORT = `query MetricsCsvExport($id: ID!, $types: [NodePoolMetricType!]!, $window: MetricsWindow) {
  nodePool(id: $id) {
    name
    metrics(types: $types, window: $window) { series { type labels samples { timestamp raw } } }
  }
}`;

interface ExportData {
  nodePool: {
    name: string;
    metrics: {
      series: {
        type: string;
        labels: Record<string, string> | null;
        samples: { timestamp: string | null; raw: string }[];
      }[];
    } | null;
  } | null;
}

/** What the route needs: the admission (the rate limit), and the yoga instance it runs the operation on. */
export interface MetricsCsvOptions {
  admission: Admission;
  /** The pipeline of the yoga instance this plugin is part of (known once yoga is built). */
  enveloped: () => YogaServerInstance<ServerContext, GatewayContext>['getEnveloped'];
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

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The series as CSV: header `type,labels,timestamp,value`, labels as `key=value;…`, a row per sample. */
export function seriesCsv(
  series: NonNullable<NonNullable<ExportData['nodePool']>['metrics']>['series'],
): string {
  const rows = ['type,labels,timestamp,value'];
  for (const one of series) {
    const labels = Object.entries(one.labels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(';');
    for (const sample of one.samples) {
      rows.push([one.type, labels, sample.timestamp ?? '', sample.raw].map(csvField).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}

/**
 * The export's variables from its path and query string: `types`
 * (comma-separated or repeated), `start` and `end`, `samples`, given only
 * when present, so that the window takes the `metrics` field's defaults.
 */
function variablesOf(rawId: string, query: URLSearchParams): Record<string, unknown> {
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    throw gatewayError('BAD_USER_INPUT', 'Invalid export: id: is not valid percent-encoding.');
  }
  const types = query
    .getAll('types')
    .flatMap((value) => value.split(','))
    .map((type) => type.trim())
    .filter(Boolean);
  const window: Record<string, unknown> = {};
  for (const name of ['start', 'end'] as const) {
    const value = query.get(name);
    if (value !== null) window[name] = value;
  }
  const samples = query.get('samples');
  // A non-number stays a string: the variable's coercion refuses it with BAD_USER_INPUT, as for any caller.
  if (samples !== null) window['samples'] = /^\d+$/.test(samples) ? Number(samples) : samples;
  return { id, types, ...(Object.keys(window).length > 0 ? { window } : {}) };
}

/** An answer in the error contract: the errors' JSON, with the highest status among them. */
function errorResponse(fetchAPI: { Response: typeof Response }, errors: readonly GraphQLError[]): Response {
  const status = Math.max(...errors.map(statusOf));
  return new fetchAPI.Response(JSON.stringify({ errors: errors.map((error) => errorJson(error)) }), {
    status,
    // The errors' own headers (Retry-After) go on the response.
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...Object.assign({}, ...errors.map(headersOf)),
    },
  });
}

/**
 * `GET /export/nodepools/{id}/metrics.csv`: a pool's metrics as a CSV
 * download, served by yoga as its readiness check serves its route
 * (`onRequest`, `endResponse`). It runs one fixed operation through this
 * yoga's own pipeline (as graphql-ws does: `getEnveloped`), then writes the
 * series it returned. Two Run:ai calls: the pool, then its metrics.
 * Refusals and Run:ai's failures are JSON errors of the contract.
 */
export function useMetricsCsv({
  admission,
  enveloped,
}: MetricsCsvOptions): Plugin<object, { facts?: EdgeFacts; requestId?: string }> {
  return {
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      const match = METRICS_CSV_PATH.exec(url.pathname);
      if (!match) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        const refusal = gatewayError('METHOD_NOT_ALLOWED', 'The export takes GET only.');
        const response = errorResponse(fetchAPI, [refusal]);
        response.headers.set('allow', 'GET, HEAD');
        return endResponse(response);
      }
      return exportCsv(match[1] as string).then(endResponse);

      async function exportCsv(rawId: string): Promise<Response> {
        const requestId = serverContext.requestId;
        try {
          const variables = variablesOf(rawId, url.searchParams);
          await admission.charge(
            serverContext.facts ?? { credentials: { kind: 'none' }, address: 'unknown' },
          );
          const params = { query: EXPORT, variables, operationName: 'MetricsCsvExport' };
          const { parse, validate, contextFactory, execute, schema } = enveloped()({
            ...serverContext,
            request,
            params,
          });
          const document = parse(EXPORT);
          const invalid = validate(schema, document);
          if (invalid.length > 0) return errorResponse(fetchAPI, toContract(invalid, requestId));
          const contextValue = await contextFactory();
          const result = (await execute({
            schema,
            document,
            variableValues: variables,
            contextValue,
            operationName: params.operationName,
          })) as ExecutionResult<ExportData>;
          const failures = (result.errors ?? []).filter(
            (error) => error.extensions?.['code'] !== 'PARTIAL_RESULT',
          );
          if (failures.length > 0) return errorResponse(fetchAPI, failures);
          const pool = result.data?.nodePool;
          if (!pool?.metrics) {
            return errorResponse(fetchAPI, [
              gatewayError('NOT_FOUND', `No node pool with id ${String(variables['id'])} is visible to you.`),
            ]);
          }
          const window = variables['window'] as
            | { start?: string; end?: string; samples?: number }
            | undefined;
          const { start, end } = resolveWindow(
            {
              start: window?.start === undefined ? undefined : new Date(window.start),
              end: window?.end === undefined ? undefined : new Date(window.end),
            },
            contextValue.now,
          );
          const csv = seriesCsv(pool.metrics.series);
          return new fetchAPI.Response(request.method === 'HEAD' ? null : csv, {
            status: 200,
            headers: {
              'content-type': 'text/csv; charset=utf-8',
              'content-disposition': `attachment; filename="${csvFileName(pool.name, start, end)}"`,
              'cache-control': 'no-store',
            },
          });
        } catch (error) {
          return errorResponse(fetchAPI, toContract([error], requestId));
        }
      }
    },
  };
}
