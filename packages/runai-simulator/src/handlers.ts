import { HttpError, MESSAGES } from './errors.js';
import { buildMeasurements, measurementsToCsv } from './metrics.js';
import type { PoolRecord } from './model.js';
import {
  applyFields,
  type Body,
  checkNoIdentityChange,
  checkPoolName,
  checkSwapSizesInBody,
  defaultFields,
  fieldsOf,
} from './pool-fields.js';
import { LazyPoolRow, type PoolField, type PoolRow, parseFilters, passesFilters, sortRows } from './query.js';
import { toLegacyPool, toNodepool } from './render.js';
import type { PoolStore } from './store.js';
import type { Principal } from './tokens.js';

/** What an operation handler gets: the validated request and the tenant's view of the store. */
export interface HandlerContext {
  store: PoolStore;
  principal: Principal;
  params: Record<string, unknown>;
  body: Body;
  accept: string | undefined;
  partialMetricTypes: ReadonlySet<string>;
}

/** What an operation handler answers. */
export interface Reply {
  status: number;
  json?: unknown;
  /** A non-JSON body, sent with `contentType`. */
  text?: string;
  contentType?: string;
}

/** One operation: stateless checks the spec states only in prose, then the work. */
export interface OperationHandler {
  /** Runs after spec validation and before the permission check, like the rest of request validation. */
  check?(params: Record<string, unknown>, body: Body): void;
  run(ctx: HandlerContext): Reply;
}

const ACCEPTED = { code: 202, message: MESSAGES.accepted };

function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

/** A pool of the tenant by its string id ("5"); anything else is an unknown pool. */
function poolById(ctx: HandlerContext, raw: unknown): PoolRecord {
  const text = String(raw);
  const pool = /^\d+$/.test(text) ? ctx.store.get(ctx.principal.tenantId, Number(text)) : undefined;
  if (!pool) throw notFound(`Node pool ${text}`);
  return pool;
}

/** A pool of the tenant that belongs to the given cluster (legacy endpoints address pools through a cluster). */
function legacyPool(ctx: HandlerContext): PoolRecord {
  const clusterId = String(ctx.params['clusterId']);
  if (!ctx.store.cluster(ctx.principal.tenantId, clusterId)) throw notFound(`Cluster ${clusterId}`);
  const pool = ctx.store.get(ctx.principal.tenantId, Number(ctx.params['id']));
  if (!pool || pool.clusterId !== clusterId) throw notFound(`Node pool ${String(ctx.params['id'])}`);
  return pool;
}

function refuseIfDeleting(ctx: HandlerContext, pool: PoolRecord): void {
  if (ctx.store.isDeleting(pool)) throw new HttpError(400, `Node pool ${pool.id} is being deleted`);
}

function refuseDefaultDelete(pool: PoolRecord): void {
  if (pool.isDefault) {
    throw new HttpError(
      400,
      `Node pool ${pool.id} is the default node pool of its cluster and cannot be deleted`,
    );
  }
}

function render(ctx: HandlerContext, pool: PoolRecord) {
  return toNodepool(pool, ctx.store.state(pool), ctx.store.clusterName(pool.clusterId));
}

function filtersOf(params: Record<string, unknown>) {
  return parseFilters((params['filterBy'] as string[] | undefined) ?? []);
}

function filteredRows(ctx: HandlerContext): PoolRow[] {
  const filters = filtersOf(ctx.params);
  const rows: PoolRow[] = [];
  for (const pool of ctx.store.list(ctx.principal.tenantId)) {
    const row = new LazyPoolRow(pool, ctx.store);
    if (passesFilters(row, filters)) rows.push(row);
  }
  return rows;
}

function createPool(ctx: HandlerContext, clusterId: string, body: Body, legacy: boolean): PoolRecord {
  const { tenantId, subject } = ctx.principal;
  const name = checkPoolName(body['name']);
  if (!ctx.store.cluster(tenantId, clusterId)) {
    // The legacy path names the cluster, so an unknown one is a missing resource there.
    if (legacy) throw notFound(`Cluster ${clusterId}`);
    throw new HttpError(400, `Invalid request body: cluster ${clusterId} not found`);
  }
  if (ctx.store.findByName(tenantId, clusterId, name)) {
    throw new HttpError(409, `Node pool with name '${name}' already exists in cluster ${clusterId}`);
  }
  const fields = applyFields(
    defaultFields(String(body['labelKey'] ?? ''), String(body['labelValue'] ?? '')),
    body,
  );
  return ctx.store.create({
    ...fields,
    tenantId,
    clusterId,
    name,
    isDefault: false,
    createdBy: subject,
    updatedBy: subject,
    deletedBy: null,
    deletedAt: null,
  });
}

function updatePool(ctx: HandlerContext, pool: PoolRecord, mode: 'put' | 'patch'): void {
  refuseIfDeleting(ctx, pool);
  const base = mode === 'put' ? defaultFields(pool.labelKey, pool.labelValue) : fieldsOf(pool);
  Object.assign(pool, applyFields(base, ctx.body));
  ctx.store.markUpdated(pool, ctx.principal.subject);
}

function checkUpdateBody(_params: Record<string, unknown>, body: Body): void {
  checkNoIdentityChange(body);
  checkSwapSizesInBody(body);
}

/** The media type the client prefers among JSON and CSV (JSON unless CSV comes first). */
function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.findIndex((t) => t === 'application/json' || t === 'application/*' || t === '*/*');
  return csv !== -1 && (json === -1 || csv < json);
}

/** The handlers of every operation of the spec, by operationId. */
/** PUT replaces every updatable field, PATCH only the given ones; both answer the pool in phase Updating. */
function updateHandler(mode: 'put' | 'patch'): OperationHandler {
  return {
    check: checkUpdateBody,
    run(ctx) {
      const pool = poolById(ctx, ctx.params['nodepoolId']);
      updatePool(ctx, pool, mode);
      return { status: 200, json: render(ctx, pool) };
    },
  };
}

export const HANDLERS: Record<string, OperationHandler> = {
  get_nodepools: {
    check(params) {
      filtersOf(params);
      if (typeof params['offset'] === 'number' && params['offset'] < 0) {
        throw new HttpError(400, 'Invalid parameter: offset must be >= 0');
      }
    },
    run(ctx) {
      const offset = (ctx.params['offset'] as number | undefined) ?? 0;
      const limit = ctx.params['limit'] as number;
      const rows = sortRows(
        filteredRows(ctx),
        ctx.params['sortBy'] as PoolField | undefined,
        ctx.params['sortOrder'] as 'asc' | 'desc',
      );
      return {
        status: 200,
        json: { nodepools: rows.slice(offset, offset + limit).map((r) => render(ctx, r.pool)) },
      };
    },
  },
  count_nodepools: {
    check(params) {
      filtersOf(params);
    },
    run(ctx) {
      return { status: 200, json: { count: filteredRows(ctx).length } };
    },
  },
  get_nodepool: {
    run(ctx) {
      return { status: 200, json: render(ctx, poolById(ctx, ctx.params['nodepoolId'])) };
    },
  },
  create_nodepool: {
    check(_params, body) {
      checkPoolName(body['name']);
      checkSwapSizesInBody(body);
    },
    run(ctx) {
      const pool = createPool(ctx, String(ctx.body['clusterId']), ctx.body, false);
      return { status: 201, json: render(ctx, pool) };
    },
  },
  update_nodepool: updateHandler('put'),
  patch_nodepool: updateHandler('patch'),
  delete_nodepool: {
    run(ctx) {
      const pool = poolById(ctx, ctx.params['nodepoolId']);
      refuseDefaultDelete(pool);
      ctx.store.markDeleting(pool, ctx.principal.subject);
      return { status: 202, json: ACCEPTED };
    },
  },
  get_nodepool_metrics: {
    check(params) {
      const types = params['metricType'] as string[];
      if (types.length === 0)
        throw new HttpError(400, 'Invalid parameter: metricType must name at least one type');
      if (Date.parse(String(params['start'])) >= Date.parse(String(params['end']))) {
        throw new HttpError(400, 'Invalid parameter: start must be before end');
      }
    },
    run(ctx) {
      const clusterId = String(ctx.params['clusterUuid']);
      const name = String(ctx.params['nodepoolName']);
      if (!ctx.store.cluster(ctx.principal.tenantId, clusterId)) throw notFound(`Cluster ${clusterId}`);
      const pool = ctx.store.findByName(ctx.principal.tenantId, clusterId, name);
      if (!pool) throw notFound(`Node pool ${name}`);
      const requested = [...new Set(ctx.params['metricType'] as string[])];
      const computable = requested.filter((type) => !ctx.partialMetricTypes.has(type));
      const measurements = buildMeasurements(
        { poolId: pool.id, nodeCount: ctx.store.state(pool).nodes.length },
        computable,
        Date.parse(String(ctx.params['start'])),
        Date.parse(String(ctx.params['end'])),
        ctx.params['numberOfSamples'] as number,
      );
      // 207 is documented with a JSON body only, so a partial answer is always JSON.
      if (computable.length < requested.length) return { status: 207, json: { measurements } };
      if (prefersCsv(ctx.accept)) {
        return { status: 200, text: measurementsToCsv(measurements), contentType: 'text/csv' };
      }
      return { status: 200, json: { measurements } };
    },
  },
  getNodePools: {
    run(ctx) {
      const clusterId = String(ctx.params['clusterId']);
      if (!ctx.store.cluster(ctx.principal.tenantId, clusterId)) throw notFound(`Cluster ${clusterId}`);
      const pools = ctx.store.list(ctx.principal.tenantId).filter((p) => p.clusterId === clusterId);
      return { status: 200, json: pools.map((p) => toLegacyPool(p, ctx.store.state(p))) };
    },
  },
  createNodePool: {
    check(_params, body) {
      checkPoolName(body['name']);
      for (const key of ['labelKey', 'labelValue']) {
        if (typeof body[key] !== 'string' || body[key] === '') {
          throw new HttpError(400, `Invalid request body: ${key} is required`);
        }
      }
    },
    run(ctx) {
      const pool = createPool(ctx, String(ctx.params['clusterId']), ctx.body, true);
      return { status: 201, json: toLegacyPool(pool, ctx.store.state(pool)) };
    },
  },
  updateNodePool: {
    check: checkUpdateBody,
    run(ctx) {
      updatePool(ctx, legacyPool(ctx), 'patch');
      return { status: 202, json: ACCEPTED };
    },
  },
  updateNodePoolLabels: {
    run(ctx) {
      const pool = legacyPool(ctx);
      refuseIfDeleting(ctx, pool);
      const labels: Body = {};
      if (typeof ctx.body['labelKey'] === 'string') labels['labelKey'] = ctx.body['labelKey'];
      if (typeof ctx.body['labelValue'] === 'string') labels['labelValue'] = ctx.body['labelValue'];
      Object.assign(pool, applyFields(fieldsOf(pool), labels));
      ctx.store.markUpdated(pool, ctx.principal.subject);
      return { status: 202, json: ACCEPTED };
    },
  },
  deleteNodePool: {
    run(ctx) {
      const pool = legacyPool(ctx);
      refuseDefaultDelete(pool);
      ctx.store.markDeleting(pool, ctx.principal.subject);
      return { status: 202, json: ACCEPTED };
    },
  },
};
