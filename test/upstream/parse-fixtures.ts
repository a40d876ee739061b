/** Shared inputs and checks of the parser tests (parse-*.test.ts). */

import { expect } from 'vitest';
import { UpstreamError } from '../../src/upstream/errors.js';

/** The example pool from spec/upstream-notes.md. */
export function examplePool(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '5',
    name: 'a100',
    clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
    clusterName: 'prod-cluster',
    tenantId: 1,
    labelKey: 'node-pool-type',
    labelValue: 'a100',
    isDefault: false,
    phase: 'Ready',
    phaseMessage: '',
    status: {
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      nodes: ['gpu-node-1', 'gpu-node-2'],
      gpuNetworkAccelerationDetected: false,
    },
    gpuNetworkAccelerationDetection: 'Auto',
    gpuResourceOptimization: { swapEnabled: false, nodeLevelSchedulerEnabled: false },
    placementStrategy: { cpu: 'binpack', gpu: 'binpack' },
    createdBy: 'admin@lab.com',
    createdAt: '2025-02-10T12:09:18.211Z',
    updatedBy: 'admin@lab.com',
    updatedAt: '2025-02-10T12:09:18.211Z',
    deletedAt: null,
    ...overrides,
  };
}

/** Runs a parse that must fail, and returns its UpstreamError. */
export function badResponse(fn: () => unknown): UpstreamError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}
