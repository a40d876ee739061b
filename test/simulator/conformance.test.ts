import { SEED_CLUSTERS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { type CallOptions, call, startSimulator } from './helpers.js';
import { ResponseValidator } from './openapi-validator.js';

const P = SEED_CLUSTERS.prod.id;
const LEGACY = `/v1/k8s/clusters/${P}/node-pools`;
const RANGE = 'start=2025-01-01T00:00:00Z&end=2025-01-01T06:00:00Z';
const ALL_TYPES =
  'TOTAL_GPU_NODES,GPU_UTILIZATION,GPU_UTILIZATION_DISTRIBUTION,GPU_MEMORY_UTILIZATION,CPU_UTILIZATION,CPU_MEMORY_UTILIZATION,TOTAL_GPU,GPU_QUOTA,ALLOCATED_GPU,UNALLOCATED_GPU,AVG_WORKLOAD_WAIT_TIME';

/** [operationId, path, options] — successes and failures of all 13 operations. */
const CALLS: Array<[string, string, CallOptions?]> = [
  ['get_nodepools', '/api/v1/node-pools'],
  ['get_nodepools', '/api/v1/node-pools?sortBy=phase&sortOrder=desc&offset=2&limit=4'],
  ['get_nodepools', `/api/v1/node-pools?filterBy=${encodeURIComponent('swapEnabled==true')}`],
  ['get_nodepools', '/api/v1/node-pools?limit=501'],
  ['get_nodepools', '/api/v1/node-pools', { token: null }],
  ['count_nodepools', '/api/v1/node-pools/count'],
  ['count_nodepools', '/api/v1/node-pools/count?filterBy=bogus'],
  ['get_nodepool', '/api/v1/node-pools/2'],
  ['get_nodepool', '/api/v1/node-pools/7'],
  ['get_nodepool', '/api/v1/node-pools/404'],
  [
    'create_nodepool',
    '/api/v1/node-pools',
    {
      method: 'POST',
      body: {
        name: 'conform',
        labelKey: 'node-pool-type',
        labelValue: 'a100',
        clusterId: P,
        gpuNetworkAccelerationLabelKey: 'x/y',
        gpuResourceOptimization: { swapEnabled: true, cpuSwapMemorySize: '50G' },
      },
    },
  ],
  [
    'create_nodepool',
    '/api/v1/node-pools',
    { method: 'POST', body: { name: 'a100', labelKey: 'k', labelValue: 'v', clusterId: P } },
  ],
  ['create_nodepool', '/api/v1/node-pools', { method: 'POST', body: { name: 'x' } }],
  [
    'create_nodepool',
    '/api/v1/node-pools',
    {
      method: 'POST',
      token: 'demo-viewer',
      body: { name: 'x', labelKey: 'k', labelValue: 'v', clusterId: P },
    },
  ],
  [
    'update_nodepool',
    '/api/v1/node-pools/3',
    { method: 'PUT', body: { labelKey: 'node-pool-type', labelValue: 'h100' } },
  ],
  ['update_nodepool', '/api/v1/node-pools/999', { method: 'PUT', body: {} }],
  [
    'patch_nodepool',
    '/api/v1/node-pools/2',
    { method: 'PATCH', body: { gpuResourceOptimization: null, placementStrategy: { cpu: null } } },
  ],
  ['patch_nodepool', '/api/v1/node-pools/2', { method: 'PATCH', body: { name: 'nope' } }],
  ['delete_nodepool', '/api/v1/node-pools/6', { method: 'DELETE' }],
  ['get_nodepool', '/api/v1/node-pools/6'],
  ['delete_nodepool', '/api/v1/node-pools/1', { method: 'DELETE' }],
  ['get_nodepool_metrics', `/api/v1/clusters/${P}/nodepools/a100/metrics?${RANGE}&metricType=${ALL_TYPES}`],
  [
    'get_nodepool_metrics',
    `/api/v1/clusters/${P}/nodepools/mi300/metrics?${RANGE}&metricType=GPU_QUOTA,TOTAL_GPU`,
  ],
  [
    'get_nodepool_metrics',
    `/api/v1/clusters/${P}/nodepools/h100/metrics?${RANGE}&numberOfSamples=7&metricType=${ALL_TYPES.replace(',GPU_QUOTA', '')}`,
  ],
  ['get_nodepool_metrics', `/api/v1/clusters/${P}/nodepools/a100/metrics?${RANGE}&metricType=NOPE`],
  ['get_nodepool_metrics', `/api/v1/clusters/${P}/nodepools/zzz/metrics?${RANGE}&metricType=TOTAL_GPU`],
  ['getNodePools', LEGACY],
  ['getNodePools', LEGACY.replace(P, SEED_CLUSTERS.partner.id)],
  [
    'createNodePool',
    LEGACY,
    { method: 'POST', body: { name: 'legacy-conform', labelKey: 'k', labelValue: 'v' } },
  ],
  [
    'createNodePool',
    LEGACY,
    { method: 'POST', body: { name: 'legacy-conform', labelKey: 'k', labelValue: 'v' } },
  ],
  ['createNodePool', LEGACY, { method: 'POST', body: { labelKey: 'k' } }],
  ['updateNodePool', `${LEGACY}/4`, { method: 'PUT', body: { placementStrategy: { gpu: 'binpack' } } }],
  ['updateNodePool', `${LEGACY}/999`, { method: 'PUT', body: {} }],
  [
    'updateNodePoolLabels',
    `${LEGACY}/4/labels`,
    { method: 'PUT', body: { labelKey: 'node-pool-type', labelValue: 't4' } },
  ],
  ['updateNodePoolLabels', `${LEGACY}/4/labels`, { method: 'PUT', token: 'demo-viewer', body: {} }],
  ['deleteNodePool', `${LEGACY}/5`, { method: 'DELETE' }],
  ['deleteNodePool', `${LEGACY}/999`, { method: 'DELETE' }],
  ['getNodePools', LEGACY],
];

describe('simulator: response conformance', () => {
  it('answers every operation with bodies that validate against the spec for their status', async () => {
    const sim = await startSimulator({ partialMetricTypes: ['GPU_QUOTA'], delays: { delete: 60_000 } });
    const validator = new ResponseValidator();
    const statuses = new Set<string>();
    const failures: string[] = [];
    for (const [operationId, path, options] of CALLS) {
      const res = await call(sim, path, options);
      statuses.add(`${operationId} ${res.status}`);
      expect(res.headers.get('content-type'), `${operationId} ${path}`).toBe('application/json');
      for (const error of validator.errors(operationId, res.status, res.body)) {
        failures.push(`${operationId} ${res.status} ${path}: ${error}`);
      }
    }
    expect(failures).toEqual([]);
    // Every recorded request was routed to the operation the test meant.
    expect(sim.requests.map((r) => r.operation)).toEqual(CALLS.map(([operationId]) => operationId));
    // The run covered each operation's main success and several error statuses.
    for (const expected of [
      'get_nodepools 200',
      'get_nodepools 400',
      'get_nodepools 401',
      'count_nodepools 200',
      'count_nodepools 400',
      'get_nodepool 404',
      'create_nodepool 201',
      'create_nodepool 409',
      'create_nodepool 403',
      'update_nodepool 200',
      'patch_nodepool 200',
      'delete_nodepool 202',
      'delete_nodepool 400',
      'get_nodepool_metrics 200',
      'get_nodepool_metrics 207',
      'get_nodepool_metrics 404',
      'getNodePools 200',
      'getNodePools 404',
      'createNodePool 201',
      'createNodePool 409',
      'updateNodePool 202',
      'updateNodePoolLabels 202',
      'updateNodePoolLabels 403',
      'deleteNodePool 202',
      'deleteNodePool 404',
    ]) {
      expect(statuses, expected).toContain(expected);
    }
  });
});
