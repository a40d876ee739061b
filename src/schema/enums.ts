import type { NodePoolPhase } from '../upstream/models.js';
import { builder } from './builder.js';

const PHASE_DOCS: Record<NodePoolPhase, string> = {
  Creating: 'Run:ai accepted the pool and the cluster is creating it.',
  Updating: 'A change was accepted and the cluster is applying it.',
  Deleting: 'Deletion was accepted; the pool disappears once the cluster has removed it.',
  Empty: 'The pool exists but no node carries its label.',
  Unschedulable: 'The pool has nodes but none can take workloads.',
  Ready: 'The pool has nodes and can take workloads.',
  Deleted: 'The pool is gone (reported by subscriptions when a pool vanishes).',
};

/** Values keep Run:ai's spelling so that its users recognise them. */
export const NodePoolPhaseEnum = builder.enumType('NodePoolPhase', {
  description: 'Where a node pool is in its lifecycle, as Run:ai reports it.',
  values: {
    Creating: { value: 'Creating', description: PHASE_DOCS.Creating },
    Updating: { value: 'Updating', description: PHASE_DOCS.Updating },
    Deleting: { value: 'Deleting', description: PHASE_DOCS.Deleting },
    Empty: { value: 'Empty', description: PHASE_DOCS.Empty },
    Unschedulable: { value: 'Unschedulable', description: PHASE_DOCS.Unschedulable },
    Ready: { value: 'Ready', description: PHASE_DOCS.Ready },
    Deleted: { value: 'Deleted', description: PHASE_DOCS.Deleted },
  } as const,
});

export const PlacementStrategyKindEnum = builder.enumType('PlacementStrategyKind', {
  description: 'How the scheduler places workloads on the nodes of a pool.',
  values: {
    spread: { value: 'spread', description: 'Spread workloads over as many nodes as possible.' },
    binpack: { value: 'binpack', description: 'Pack workloads onto as few nodes as possible.' },
  } as const,
});

export const GpuNetworkAccelerationDetectionEnum = builder.enumType('GpuNetworkAccelerationDetection', {
  description: 'How Run:ai decides whether the nodes of a pool have GPU network acceleration.',
  values: {
    Use: { value: 'Use', description: 'Always treat the nodes as accelerated.' },
    DontUse: { value: 'DontUse', description: 'Never treat the nodes as accelerated.' },
    Auto: { value: 'Auto', description: 'Detect acceleration from the node label.' },
  } as const,
});
