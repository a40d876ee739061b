import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsObjectLists } from '../../src/plugins/use-jit-for-lists.js';
import { schema } from '../../src/schema/index.js';

const verdict = (query: string, operationName?: string) =>
  selectsObjectLists(schema, parse(query), operationName);

describe('compiled execution (graphql-jit) is chosen for queries that select lists of objects', () => {
  it('compiles a page of pools, nodes() and metric series', () => {
    expect(verdict('{ nodePools(first: 5) { edges { node { id } } } }')).toBe(true);
    expect(verdict('{ nodes(ids: ["Tm9kZVBvb2w6MQ=="]) { id } }')).toBe(true);
    expect(verdict('{ nodePool(id: "1") { metrics(types: [TOTAL_GPU]) { series { type } } } }')).toBe(true);
  });

  it('leaves single objects, scalar lists and mutations to graphql-js', () => {
    expect(verdict('{ nodePool(id: "2") { id name phase clusterName } }')).toBe(false);
    expect(verdict('{ nodePool(id: "2") { metrics(types: [TOTAL_GPU]) { missingTypes } } }')).toBe(false);
    expect(verdict('mutation { deleteNodePool(id: "9") { __typename } }')).toBe(false);
  });

  it('judges the operation being executed, once per document', () => {
    const document = parse(
      'query One { nodePool(id: "2") { id } } query Many { nodePools { edges { node { id } } } }',
    );
    expect(selectsObjectLists(schema, document, 'One')).toBe(false);
    expect(selectsObjectLists(schema, document, 'Many')).toBe(true);
    expect(selectsObjectLists(schema, document, 'One')).toBe(false);
  });
});
