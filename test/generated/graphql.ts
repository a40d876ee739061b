/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A time range and how many samples to take in it. Defaults: the hour before the request, 20 samples. Fields of one request that leave `start`/`end` out share the same window. */
export type MetricsWindow = {
  /** End of the range; default the time of the request. */
  end?: string | null | undefined;
  /** Number of samples over the range, 0..1000. */
  samples?: number | null | undefined;
  /** Start of the range; default one hour before `end`. */
  start?: string | null | undefined;
};

/** The metrics Run:ai computes for a node pool. */
export type NodePoolMetricType =
  /** GPUs allocated to workloads. */
  | 'ALLOCATED_GPU'
  /** Average time workloads waited to be scheduled, in seconds. */
  | 'AVG_WORKLOAD_WAIT_TIME'
  /** Average CPU memory utilisation, in percent. */
  | 'CPU_MEMORY_UTILIZATION'
  /** Average CPU utilisation, in percent. */
  | 'CPU_UTILIZATION'
  /** Average GPU memory utilisation, in percent. */
  | 'GPU_MEMORY_UTILIZATION'
  /** GPU quota assigned in the pool. */
  | 'GPU_QUOTA'
  /** Average GPU utilisation, in percent. */
  | 'GPU_UTILIZATION'
  /** GPUs per utilisation bucket; one series per bucket, told apart by `labels.range`. */
  | 'GPU_UTILIZATION_DISTRIBUTION'
  /** Number of GPUs in the pool. */
  | 'TOTAL_GPU'
  /** Number of nodes with GPUs in the pool. */
  | 'TOTAL_GPU_NODES'
  /** GPUs not allocated to any workload. */
  | 'UNALLOCATED_GPU';

/** Where a node pool is in its lifecycle, as Run:ai reports it. */
export type NodePoolPhase =
  /** Run:ai accepted the pool and the cluster is creating it. */
  | 'Creating'
  /** The pool is gone (reported by subscriptions when a pool vanishes). */
  | 'Deleted'
  /** Deletion was accepted; the pool disappears once the cluster has removed it. */
  | 'Deleting'
  /** The pool exists but no node carries its label. */
  | 'Empty'
  /** The pool has nodes and can take workloads. */
  | 'Ready'
  /** The pool has nodes but none can take workloads. */
  | 'Unschedulable'
  /** A change was accepted and the cluster is applying it. */
  | 'Updating';

export type DashboardQueryVariables = Exact<{
  window?: MetricsWindow | null | undefined;
}>;


export type DashboardQuery = { nodePools: { totalCount: unknown, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, runaiId: string, name: string, clusterName: string, phase: NodePoolPhase | null, gpu: { series: Array<{ type: NodePoolMetricType, latest: { value: number | null } | null, samples: Array<{ timestamp: string | null, value: number | null }> }> } | null, alloc: { missingTypes: Array<NodePoolMetricType>, series: Array<{ type: NodePoolMetricType, latest: { value: number | null } | null }> } | null, cpu: { series: Array<{ type: NodePoolMetricType, latest: { value: number | null } | null }> } | null } }> } | null };

export type ListAndRefetchQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
  one: string | number;
}>;


export type ListAndRefetchQuery = { nodePools: { edges: Array<{ node: { id: string, name: string } }> } | null, nodes: Array<{ name: string, phase: NodePoolPhase | null, id: string } | null>, node: { runaiId: string, id: string } | null };


export const DashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Dashboard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"window"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"MetricsWindow"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodePools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runaiId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","alias":{"kind":"Name","value":"gpu"},"name":{"kind":"Name","value":"metrics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"types"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"GPU_UTILIZATION"}]}},{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"series"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"latest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"samples"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"alloc"},"name":{"kind":"Name","value":"metrics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"types"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"ALLOCATED_GPU"},{"kind":"EnumValue","value":"TOTAL_GPU"}]}},{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"series"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"latest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"missingTypes"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"cpu"},"name":{"kind":"Name","value":"metrics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"types"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"CPU_UTILIZATION"}]}},{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"Variable","name":{"kind":"Name","value":"window"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"series"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"latest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<DashboardQuery, DashboardQueryVariables>;
export const ListAndRefetchDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListAndRefetch"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"one"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodePools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NodePool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"one"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NodePool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runaiId"}}]}}]}}]}}]} as unknown as DocumentNode<ListAndRefetchQuery, ListAndRefetchQueryVariables>;