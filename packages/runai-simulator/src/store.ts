import {
  type ClusterRecord,
  DEFAULT_ACCELERATION_LABEL,
  type NodeRecord,
  type PendingPhase,
  type PoolRecord,
} from './model.js';
import type { SeedData } from './seed.js';

/** How long each transient phase lasts, in ms. */
export interface Delays {
  create: number;
  update: number;
  delete: number;
}

/** What the cluster reports about a pool right now (computed on every read). */
export interface PoolState {
  phase: string;
  phaseMessage: string;
  nodes: string[];
  gpuNetworkAccelerationDetected: boolean;
}

const PENDING_MESSAGES: Record<PendingPhase, string> = {
  Creating: 'Node pool is being created in the cluster',
  Updating: 'Node pool is being updated in the cluster',
  Deleting: 'Node pool is being deleted from the cluster',
};

/**
 * Clusters and pools of every tenant. The lifecycle is lazy: a write stores
 * the transient phase with the time it ends, and every read computes the
 * current phase, so no timer ever needs cleaning up.
 */
export class PoolStore {
  private readonly pools = new Map<number, PoolRecord>();
  private readonly clusters = new Map<string, ClusterRecord>();
  /** Pools in Deleting, so purging expired ones does not scan every pool. */
  private readonly deleting = new Set<number>();
  private nextId: number;
  /** Bumped on every change that can move nodes between pools (invalidates the default-pool cache). */
  private version = 0;
  private readonly defaultNodesCache = new Map<string, { version: number; nodes: string[] }>();

  constructor(
    seed: SeedData,
    private readonly now: () => number,
    private readonly delays: Delays,
  ) {
    for (const cluster of seed.clusters) this.clusters.set(cluster.id, cluster);
    for (const pool of seed.pools) this.pools.set(pool.id, pool);
    // reduce, not Math.max(...ids): a spread of 100k generated ids would overflow the call stack.
    this.nextId = seed.pools.reduce((max, p) => Math.max(max, p.id), 0) + 1;
  }

  /** Removes pools whose Deleting phase is over. */
  private purge(): void {
    if (this.deleting.size === 0) return;
    const now = this.now();
    for (const id of this.deleting) {
      const pool = this.pools.get(id);
      if (pool?.pending !== 'Deleting') {
        this.deleting.delete(id);
      } else if (now >= pool.pendingUntil) {
        this.pools.delete(id);
        this.deleting.delete(id);
        this.version++;
      }
    }
  }

  /** The clusters a tenant can see. */
  clustersOf(tenantId: number): ClusterRecord[] {
    return [...this.clusters.values()].filter((c) => c.tenantId === tenantId);
  }

  /** A cluster of the tenant; another tenant's cluster is as unknown as a missing one. */
  cluster(tenantId: number, clusterId: string): ClusterRecord | undefined {
    const cluster = this.clusters.get(clusterId);
    return cluster && cluster.tenantId === tenantId ? cluster : undefined;
  }

  /** Name of any known cluster. */
  clusterName(clusterId: string): string {
    return this.clusters.get(clusterId)?.name ?? '';
  }

  /** The tenant's live pools in id order. */
  list(tenantId: number): PoolRecord[] {
    this.purge();
    const out: PoolRecord[] = [];
    for (const pool of this.pools.values()) if (pool.tenantId === tenantId) out.push(pool);
    return out;
  }

  /** A live pool of the tenant by id. */
  get(tenantId: number, id: number): PoolRecord | undefined {
    this.purge();
    const pool = this.pools.get(id);
    return pool && pool.tenantId === tenantId ? pool : undefined;
  }

  /** A live pool of any tenant by id (test hooks). */
  getAny(id: number): PoolRecord | undefined {
    this.purge();
    return this.pools.get(id);
  }

  /** A live pool of the tenant by cluster and name. */
  findByName(tenantId: number, clusterId: string, name: string): PoolRecord | undefined {
    this.purge();
    for (const pool of this.pools.values()) {
      if (pool.tenantId === tenantId && pool.clusterId === clusterId && pool.name === name) return pool;
    }
    return undefined;
  }

  /** Stores a new pool in phase Creating and gives it the next id. */
  create(
    fields: Omit<
      PoolRecord,
      'id' | 'createdAt' | 'updatedAt' | 'phase' | 'phaseMessage' | 'pending' | 'pendingUntil'
    >,
  ): PoolRecord {
    const now = this.now();
    const pool: PoolRecord = {
      ...fields,
      id: this.nextId++,
      createdAt: now,
      updatedAt: now,
      phase: null,
      phaseMessage: '',
      pending: 'Creating',
      pendingUntil: now + this.delays.create,
    };
    this.pools.set(pool.id, pool);
    this.version++;
    return pool;
  }

  /** Records that a pool's fields were changed: phase Updating, then derived from the nodes. */
  markUpdated(pool: PoolRecord, subject: string): void {
    const now = this.now();
    pool.updatedAt = now;
    pool.updatedBy = subject;
    pool.phase = null;
    pool.phaseMessage = '';
    pool.pending = 'Updating';
    pool.pendingUntil = now + this.delays.update;
    this.version++;
  }

  /** Starts deleting a pool; it disappears when the delete delay is over. Idempotent. */
  markDeleting(pool: PoolRecord, subject: string): void {
    if (pool.pending === 'Deleting') return;
    const now = this.now();
    pool.deletedAt = now;
    pool.deletedBy = subject;
    pool.pending = 'Deleting';
    pool.pendingUntil = now + this.delays.delete;
    this.deleting.add(pool.id);
  }

  /** Whether a pool is being deleted (writes to it are refused). */
  isDeleting(pool: PoolRecord): boolean {
    return pool.pending === 'Deleting';
  }

  /** Forces a phase (test hook): it stays until the next write. */
  setPhase(pool: PoolRecord, phase: string, message: string): void {
    if (pool.pending === 'Deleting') this.deleting.delete(pool.id);
    pool.phase = phase;
    pool.phaseMessage = message;
    pool.pending = null;
    pool.pendingUntil = 0;
    this.version++;
  }

  /** Nodes of the pool's cluster that the pool holds. */
  private nodesOf(pool: PoolRecord): NodeRecord[] {
    const cluster = this.clusters.get(pool.clusterId);
    if (!cluster) return [];
    if (!pool.isDefault)
      return cluster.nodes.filter((node) => node.labels[pool.labelKey] === pool.labelValue);
    const names = new Set(this.defaultNodeNames(cluster));
    return cluster.nodes.filter((node) => names.has(node.name));
  }

  /** The default pool holds every node that no other live pool of its cluster matches. */
  private defaultNodeNames(cluster: ClusterRecord): string[] {
    const cached = this.defaultNodesCache.get(cluster.id);
    if (cached && cached.version === this.version) return cached.nodes;
    const claimed = new Set<string>();
    for (const pool of this.pools.values()) {
      if (pool.clusterId !== cluster.id || pool.isDefault) continue;
      for (const node of cluster.nodes)
        if (node.labels[pool.labelKey] === pool.labelValue) claimed.add(node.name);
    }
    const nodes = cluster.nodes.filter((node) => !claimed.has(node.name)).map((node) => node.name);
    this.defaultNodesCache.set(cluster.id, { version: this.version, nodes });
    return nodes;
  }

  /** The pool's phase, message, nodes and detected acceleration at this instant. */
  state(pool: PoolRecord): PoolState {
    const now = this.now();
    const creating = pool.pending === 'Creating' && now < pool.pendingUntil;
    const nodes = creating ? [] : this.nodesOf(pool);
    const accelerationKey = pool.gpuNetworkAccelerationLabelKey ?? DEFAULT_ACCELERATION_LABEL;
    const gpuNetworkAccelerationDetected =
      pool.gpuNetworkAccelerationDetection !== 'DontUse' &&
      nodes.some((node) => node.labels[accelerationKey] === 'true');
    const nodeNames = nodes.map((node) => node.name);
    if (pool.pending !== null && now < pool.pendingUntil) {
      return {
        phase: pool.pending,
        phaseMessage: PENDING_MESSAGES[pool.pending],
        nodes: nodeNames,
        gpuNetworkAccelerationDetected,
      };
    }
    if (pool.phase !== null) {
      return {
        phase: pool.phase,
        phaseMessage: pool.phaseMessage,
        nodes: nodeNames,
        gpuNetworkAccelerationDetected,
      };
    }
    return nodes.length > 0
      ? { phase: 'Ready', phaseMessage: '', nodes: nodeNames, gpuNetworkAccelerationDetected }
      : {
          phase: 'Empty',
          phaseMessage: `No node carries the label ${pool.labelKey}=${pool.labelValue}`,
          nodes: nodeNames,
          gpuNetworkAccelerationDetected,
        };
  }
}
