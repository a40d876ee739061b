/**
 * The reference app's documents (examples/pool-board) against the schema: a schema change that breaks the
 * app fails here, in `npm test`, before the browser test builds it. The manifest the app ships is the one
 * graphql-codegen's client preset writes: each key the SHA-256 of its document.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const manifest = JSON.parse(
  readFileSync(
    new URL('../../examples/pool-board/src/gql/persisted-documents.json', import.meta.url),
    'utf8',
  ),
) as Record<string, string>;

describe('the pool board’s documents', () => {
  it('are the query and the subscription the app runs', () => {
    const names = Object.values(manifest).map((document) => /(query|subscription) (\w+)/.exec(document)?.[2]);
    expect(names.sort()).toEqual(['PoolBoard', 'PoolBoardChanges']);
  });

  it.each(Object.entries(manifest))('%s validates against the schema', (hash, document) => {
    expect(createHash('sha256').update(document).digest('hex')).toBe(hash.replace(/^sha256:/, ''));
    expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
  });
});
