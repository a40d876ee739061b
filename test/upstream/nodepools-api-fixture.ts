/**
 * Shared set-up of the tests of the typed Run:ai API and its transport (nodepools-api-*, legacy-api,
 * bind-api and http-*.test.ts): one simulator for the file, the seed pools they read, a context per
 * caller, and the table that checks how an operation's failures are classified.
 */

import { SEED_CLUSTERS } from 'runai-simulator';
import { beforeAll, expect, it } from 'vitest';
import type { UpstreamErrorCode } from '../../src/upstream/errors.js';
import type { CallContext } from '../../src/upstream/http.js';
import type { NodePool } from '../../src/upstream/models.js';
import {
  createNodePool,
  listNodePools,
  type NodePoolMetricsParams,
} from '../../src/upstream/nodepools-api.js';
import { ADMIN, ADMIN_2, expectUpstreamError, type Stack, uniqueName, useStack, VIEWER } from './support.js';

export const PROD = SEED_CLUSTERS.prod.id;
/** A cluster id no tenant has. */
export const UNKNOWN_CLUSTER = '00000000-0000-4000-8000-000000000000';
/** Run:ai's messages, as the simulator sends them. */
export const UNAUTHORIZED = 'Issuer is not familiar.';
export const FORBIDDEN = 'You do not have sufficient permissions.';
export const UNAVAILABLE = 'Please try again in few minutes.';

/** Who makes a call. */
export type Caller = 'admin' | 'viewer' | 'anonymous' | 'other tenant' | 'admin, no retries';

export interface ApiFixture {
  readonly stack: Stack;
  /** The seed pool a100 of the prod cluster. */
  readonly a100: NodePool;
  /** The default pool of the prod cluster. */
  readonly defaultPool: NodePool;
  /** A call context of `caller`; 'admin, no retries' uses a client that never retries. */
  as(caller: Caller): CallContext;
  /**
   * A new pool in the prod cluster, created by the admin. The request log is cleared after, so that tests
   * count only their own calls.
   */
  newPool(prefix?: string): Promise<NodePool>;
}

/** The hooks and contexts of a test file of the typed API. */
export function useApiFixture(): ApiFixture {
  const shared = useStack();
  let seed: { a100: NodePool; defaultPool: NodePool } | undefined;
  beforeAll(async () => {
    const pools = await listNodePools(shared.stack.ctx(ADMIN), {
      filterBy: [`clusterId==${PROD}`],
      limit: 500,
    });
    seed = {
      a100: pools.find((p) => p.name === 'a100') as NodePool,
      defaultPool: pools.find((p) => p.isDefault) as NodePool,
    };
    shared.stack.sim.clearRequests();
  });
  const tokens: Record<Caller, string | undefined> = {
    admin: ADMIN,
    viewer: VIEWER,
    anonymous: undefined,
    'other tenant': ADMIN_2,
    'admin, no retries': ADMIN,
  };
  const fixture: ApiFixture = {
    get stack() {
      return shared.stack;
    },
    get a100() {
      return (seed as NonNullable<typeof seed>).a100;
    },
    get defaultPool() {
      return (seed as NonNullable<typeof seed>).defaultPool;
    },
    as: (caller) =>
      shared.stack.ctx(
        tokens[caller],
        caller === 'admin, no retries' ? shared.stack.noRetry : shared.stack.http,
      ),
    async newPool(prefix = 'pool') {
      const pool = await createNodePool(fixture.as('admin'), {
        name: uniqueName(prefix),
        clusterId: PROD,
        labelKey: 'node-pool-type',
        labelValue: 'a10',
      });
      shared.stack.sim.clearRequests();
      return pool;
    },
  };
  return fixture;
}

/** A pool of the current describe block's own, created before its tests: its `id`, and as a `number` (legacy API). */
export function poolOfSuite(
  fixture: ApiFixture,
  prefix: string,
): { readonly id: string; readonly number: number } {
  let pool: NodePool | undefined;
  beforeAll(async () => {
    pool = await fixture.newPool(prefix);
  });
  return {
    get id() {
      return (pool as NodePool).id;
    },
    get number() {
      return Number((pool as NodePool).id);
    },
  };
}

export function metricsParams(overrides: Partial<NodePoolMetricsParams> = {}): NodePoolMetricsParams {
  return {
    clusterId: PROD,
    nodepoolName: 'a100',
    start: '2025-02-10T10:00:00.000Z',
    end: '2025-02-10T12:00:00.000Z',
    numberOfSamples: 4,
    metricTypes: ['GPU_UTILIZATION', 'TOTAL_GPU'],
    ...overrides,
  };
}

/** One way an operation fails: who calls, what Run:ai answers, and the UpstreamError the caller gets. */
export interface ErrorCase {
  /** Run:ai's status and why, for the test's name: '401 without a token', '503 from Run:ai'. */
  when: string;
  /** Default: admin; with `inject`, admin through a client that never retries, so the injected answer is final. */
  as?: Caller;
  /** A status Run:ai answers the next call of the operation with. */
  inject?: number;
  call: (ctx: CallContext) => Promise<unknown>;
  expected: { code: UpstreamErrorCode; status?: number; upstreamMessage?: string };
  /** A part of Run:ai's message the error carries. */
  upstreamMessageContains?: string;
}

/** Every call without a token: Run:ai answers 401. */
function unauthenticated(call: ErrorCase['call']): ErrorCase {
  return {
    when: '401 without a token',
    as: 'anonymous',
    call,
    expected: { code: 'UNAUTHENTICATED', status: 401, upstreamMessage: UNAUTHORIZED },
  };
}

/** The failures of every read: no token (401), and Run:ai refusing (403) or unavailable (503). */
export function readFailures(call: ErrorCase['call']): ErrorCase[] {
  return [
    unauthenticated(call),
    {
      when: '403 from Run:ai',
      inject: 403,
      call,
      expected: { code: 'FORBIDDEN', status: 403, upstreamMessage: FORBIDDEN },
    },
    {
      when: '503 from Run:ai',
      inject: 503,
      call,
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503, upstreamMessage: UNAVAILABLE },
    },
  ];
}

/** The refusals of every write: no token (401), and a viewer, who may not write (403). */
export function writeRefusals(call: ErrorCase['call']): ErrorCase[] {
  return [
    unauthenticated(call),
    {
      when: '403 for a viewer',
      as: 'viewer',
      call,
      expected: { code: 'FORBIDDEN', status: 403, upstreamMessage: FORBIDDEN },
    },
  ];
}

/**
 * One test per case: the call rejects with the expected UpstreamError of `operation`, after exactly one
 * request to Run:ai (none of these failures is retried; with `as: 'admin'` and `inject: 503`, that shows a
 * POST or PATCH is not).
 */
export function itClassifiesFailures(
  fixture: ApiFixture,
  operation: string,
  cases: readonly ErrorCase[],
): void {
  it.each(cases.map((c) => [`${c.when} → ${c.expected.code}`, c] as const))('%s', async (_name, c) => {
    const { sim } = fixture.stack;
    sim.clearRequests();
    if (c.inject !== undefined) sim.faults.failNext(1, c.inject, { operation });
    const caller = c.as ?? (c.inject === undefined ? 'admin' : 'admin, no retries');
    const err = await expectUpstreamError(c.call(fixture.as(caller)), { ...c.expected, operation });
    if (c.upstreamMessageContains !== undefined)
      expect(err.upstreamMessage).toContain(c.upstreamMessageContains);
    expect(sim.countRequests({ operation })).toBe(1);
  });
}
