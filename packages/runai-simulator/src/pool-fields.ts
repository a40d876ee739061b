import { HttpError } from './errors.js';
import {
  type AccelerationDetection,
  defaultGpuResourceOptimization,
  type GpuResourceOptimizationRecord,
  type PlacementValue,
  POOL_DEFAULTS,
  type PoolRecord,
} from './model.js';

/** The fields a client may set after creation. */
export type UpdatableFields = Pick<
  PoolRecord,
  | 'labelKey'
  | 'labelValue'
  | 'overProvisioningRatio'
  | 'placementStrategy'
  | 'gpuNetworkAccelerationLabelKey'
  | 'gpuNetworkAccelerationDetection'
  | 'gpuResourceOptimization'
>;

/** A request body after spec validation: any JSON object. */
export type Body = Record<string, unknown>;

const NAME_RULE = /^[a-z][a-z0-9-]*$/;

/** Pool names: lowercase letters, digits and '-', starting with a letter. */
export function checkPoolName(name: unknown): string {
  if (typeof name !== 'string' || name === '')
    throw new HttpError(400, 'Invalid request body: name is required');
  if (!NAME_RULE.test(name)) {
    throw new HttpError(
      400,
      `Invalid request body: name '${name}' must consist of lowercase letters, digits and '-', and start with a letter`,
    );
  }
  return name;
}

/** A pool can be neither renamed nor moved to another cluster. */
export function checkNoIdentityChange(body: Body): void {
  for (const key of ['name', 'clusterId']) {
    if (key in body) {
      throw new HttpError(
        400,
        `Invalid request body: ${key} cannot be changed (a pool cannot be renamed or moved)`,
      );
    }
  }
}

/** Swap sizes mean nothing without swap: refuse them unless the body itself turns swap on. */
export function checkSwapSizesInBody(body: Body): void {
  const gro = body['gpuResourceOptimization'];
  if (typeof gro !== 'object' || gro === null) return;
  const o = gro as Body;
  if ('swapEnabled' in o && o['swapEnabled'] !== true) assertNoSwapSizes(o);
}

function assertNoSwapSizes(o: Body): void {
  for (const key of ['cpuSwapMemorySize', 'reservedGpuMemoryForSwapOperations']) {
    if (o[key] !== undefined && o[key] !== null) {
      throw new HttpError(
        400,
        `Invalid request body: gpuResourceOptimization.${key} is only allowed when swapEnabled is true`,
      );
    }
  }
}

/** The updatable fields of a pool that sets none of them (the spec defaults). */
export function defaultFields(labelKey: string, labelValue: string): UpdatableFields {
  return {
    labelKey,
    labelValue,
    overProvisioningRatio: POOL_DEFAULTS.overProvisioningRatio,
    placementStrategy: { cpu: POOL_DEFAULTS.placement, gpu: POOL_DEFAULTS.placement },
    gpuNetworkAccelerationLabelKey: null,
    gpuNetworkAccelerationDetection: POOL_DEFAULTS.gpuNetworkAccelerationDetection,
    gpuResourceOptimization: defaultGpuResourceOptimization(),
  };
}

function applyGpuResourceOptimization(
  base: GpuResourceOptimizationRecord,
  patch: unknown,
): GpuResourceOptimizationRecord {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object') return defaultGpuResourceOptimization();
  const o = patch as Body;
  const pick = <T>(key: keyof GpuResourceOptimizationRecord, fallback: T, current: T): T =>
    key in o ? ((o[key] ?? fallback) as T) : current;
  const swapEnabled = pick('swapEnabled', false, base.swapEnabled);
  if (!swapEnabled) {
    assertNoSwapSizes(o);
    return {
      swapEnabled,
      cpuSwapMemorySize: null,
      reservedGpuMemoryForSwapOperations: null,
      nodeLevelSchedulerEnabled: pick('nodeLevelSchedulerEnabled', false, base.nodeLevelSchedulerEnabled),
    };
  }
  return {
    swapEnabled,
    cpuSwapMemorySize:
      pick<string | null>('cpuSwapMemorySize', null, base.cpuSwapMemorySize) ??
      POOL_DEFAULTS.cpuSwapMemorySize,
    reservedGpuMemoryForSwapOperations:
      pick<string | null>(
        'reservedGpuMemoryForSwapOperations',
        null,
        base.reservedGpuMemoryForSwapOperations,
      ) ?? POOL_DEFAULTS.reservedGpuMemoryForSwapOperations,
    nodeLevelSchedulerEnabled: pick('nodeLevelSchedulerEnabled', false, base.nodeLevelSchedulerEnabled),
  };
}

/**
 * Applies the fields present in `body` over `base`: a value sets the field,
 * an explicit null resets it to the spec default, an absent key keeps `base`.
 * Objects (placementStrategy, gpuResourceOptimization) merge per sub-field.
 * PUT/create pass the defaults as `base`, PATCH the current pool.
 * labelKey/labelValue have no default, so null keeps them.
 */
export function applyFields(base: UpdatableFields, body: Body): UpdatableFields {
  const out: UpdatableFields = {
    ...base,
    placementStrategy: { ...base.placementStrategy },
    gpuResourceOptimization: { ...base.gpuResourceOptimization },
  };
  if (typeof body['labelKey'] === 'string') out.labelKey = body['labelKey'];
  if (typeof body['labelValue'] === 'string') out.labelValue = body['labelValue'];
  if ('overProvisioningRatio' in body) {
    out.overProvisioningRatio =
      (body['overProvisioningRatio'] as number | null) ?? POOL_DEFAULTS.overProvisioningRatio;
  }
  if ('placementStrategy' in body) {
    const placement = body['placementStrategy'];
    if (placement === null || typeof placement !== 'object') {
      out.placementStrategy = { cpu: POOL_DEFAULTS.placement, gpu: POOL_DEFAULTS.placement };
    } else {
      for (const kind of ['cpu', 'gpu'] as const) {
        if (kind in placement) {
          out.placementStrategy[kind] =
            ((placement as Body)[kind] as PlacementValue | null) ?? POOL_DEFAULTS.placement;
        }
      }
    }
  }
  if ('gpuNetworkAccelerationLabelKey' in body) {
    out.gpuNetworkAccelerationLabelKey = (body['gpuNetworkAccelerationLabelKey'] as string | null) ?? null;
  }
  if ('gpuNetworkAccelerationDetection' in body) {
    out.gpuNetworkAccelerationDetection =
      (body['gpuNetworkAccelerationDetection'] as AccelerationDetection | null) ??
      POOL_DEFAULTS.gpuNetworkAccelerationDetection;
  }
  out.gpuResourceOptimization = applyGpuResourceOptimization(
    base.gpuResourceOptimization,
    body['gpuResourceOptimization'],
  );
  return out;
}

/** The updatable fields of a stored pool. */
export function fieldsOf(pool: PoolRecord): UpdatableFields {
  return {
    labelKey: pool.labelKey,
    labelValue: pool.labelValue,
    overProvisioningRatio: pool.overProvisioningRatio,
    placementStrategy: { ...pool.placementStrategy },
    gpuNetworkAccelerationLabelKey: pool.gpuNetworkAccelerationLabelKey,
    gpuNetworkAccelerationDetection: pool.gpuNetworkAccelerationDetection,
    gpuResourceOptimization: { ...pool.gpuResourceOptimization },
  };
}
