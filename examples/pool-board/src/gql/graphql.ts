/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What happened to a node pool. */
export type NodePoolChangeKind =
  /** The pool appeared. */
  | 'CREATED'
  /** The pool vanished from Run:ai. */
  | 'DELETED'
  /** The feed cannot resume where asked (the cursor is older than the log, or from a log that is gone): refetch the pools you show, then go on with the events that follow. Only a subscription with `after` (or Last-Event-ID) gets one, first; its pool fields are null. */
  | 'RESYNC'
  /** Some of its fields changed (see `changedFields`). */
  | 'UPDATED';

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

export type PoolBoardQueryVariables = Exact<{ [key: string]: never; }>;


export type PoolBoardQuery = { nodePools: { edges: Array<{ node: { id: string, name: string, clusterName: string, phase: NodePoolPhase | null, labelValue: string, gpu: { series: Array<{ latest: { value: number | null } | null }> } | null } }> } | null };

export type PoolBoardChangesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type PoolBoardChangesSubscription = { nodePoolChanged: { kind: NodePoolChangeKind, nodePoolId: string | null, missedEvents: number, nodePool: { id: string, name: string, clusterName: string, phase: NodePoolPhase | null, labelValue: string } | null } };


export const PoolBoardDocument = {"__meta__":{"hash":"sha256:cb2dcbf9e2a540e9da75993cbac6bc00469696b06a939b913327985afbec11bc"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PoolBoard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodePools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"labelValue"}},{"kind":"Field","alias":{"kind":"Name","value":"gpu"},"name":{"kind":"Name","value":"metrics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"types"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"GPU_UTILIZATION"}]}},{"kind":"Argument","name":{"kind":"Name","value":"window"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"samples"},"value":{"kind":"IntValue","value":"1"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"series"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"latest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PoolBoardQuery, PoolBoardQueryVariables>;
export const PoolBoardChangesDocument = {"__meta__":{"hash":"sha256:9aa48ed19b7a81f42b4aa4a5f0c89f0cedb460e29668f8f38701df3d0d6b9ea5"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PoolBoardChanges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodePoolChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"nodePoolId"}},{"kind":"Field","name":{"kind":"Name","value":"missedEvents"}},{"kind":"Field","name":{"kind":"Name","value":"nodePool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"clusterName"}},{"kind":"Field","name":{"kind":"Name","value":"phase"}},{"kind":"Field","name":{"kind":"Name","value":"labelValue"}}]}}]}}]}}]} as unknown as DocumentNode<PoolBoardChangesSubscription, PoolBoardChangesSubscriptionVariables>;