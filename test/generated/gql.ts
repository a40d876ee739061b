/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Dashboard($window: MetricsWindow) {\n  nodePools(first: 50) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        runaiId\n        name\n        clusterName\n        phase\n        gpu: metrics(types: [GPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n            samples {\n              timestamp\n              value\n            }\n          }\n        }\n        alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n          missingTypes\n        }\n        cpu: metrics(types: [CPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.DashboardDocument,
    "query ListAndRefetch($ids: [ID!]!, $one: ID!) {\n  nodePools(first: 10) {\n    edges {\n      node {\n        id\n        name\n      }\n    }\n  }\n  nodes(ids: $ids) {\n    id\n    ... on NodePool {\n      name\n      phase\n    }\n  }\n  node(id: $one) {\n    id\n    ... on NodePool {\n      runaiId\n    }\n  }\n}": typeof types.ListAndRefetchDocument,
};
const documents: Documents = {
    "query Dashboard($window: MetricsWindow) {\n  nodePools(first: 50) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        runaiId\n        name\n        clusterName\n        phase\n        gpu: metrics(types: [GPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n            samples {\n              timestamp\n              value\n            }\n          }\n        }\n        alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n          missingTypes\n        }\n        cpu: metrics(types: [CPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.DashboardDocument,
    "query ListAndRefetch($ids: [ID!]!, $one: ID!) {\n  nodePools(first: 10) {\n    edges {\n      node {\n        id\n        name\n      }\n    }\n  }\n  nodes(ids: $ids) {\n    id\n    ... on NodePool {\n      name\n      phase\n    }\n  }\n  node(id: $one) {\n    id\n    ... on NodePool {\n      runaiId\n    }\n  }\n}": types.ListAndRefetchDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard($window: MetricsWindow) {\n  nodePools(first: 50) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        runaiId\n        name\n        clusterName\n        phase\n        gpu: metrics(types: [GPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n            samples {\n              timestamp\n              value\n            }\n          }\n        }\n        alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n          missingTypes\n        }\n        cpu: metrics(types: [CPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query Dashboard($window: MetricsWindow) {\n  nodePools(first: 50) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        runaiId\n        name\n        clusterName\n        phase\n        gpu: metrics(types: [GPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n            samples {\n              timestamp\n              value\n            }\n          }\n        }\n        alloc: metrics(types: [ALLOCATED_GPU, TOTAL_GPU], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n          missingTypes\n        }\n        cpu: metrics(types: [CPU_UTILIZATION], window: $window) {\n          series {\n            type\n            latest {\n              value\n            }\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ListAndRefetch($ids: [ID!]!, $one: ID!) {\n  nodePools(first: 10) {\n    edges {\n      node {\n        id\n        name\n      }\n    }\n  }\n  nodes(ids: $ids) {\n    id\n    ... on NodePool {\n      name\n      phase\n    }\n  }\n  node(id: $one) {\n    id\n    ... on NodePool {\n      runaiId\n    }\n  }\n}"): (typeof documents)["query ListAndRefetch($ids: [ID!]!, $one: ID!) {\n  nodePools(first: 10) {\n    edges {\n      node {\n        id\n        name\n      }\n    }\n  }\n  nodes(ids: $ids) {\n    id\n    ... on NodePool {\n      name\n      phase\n    }\n  }\n  node(id: $one) {\n    id\n    ... on NodePool {\n      runaiId\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;