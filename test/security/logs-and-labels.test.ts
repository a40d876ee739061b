import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Finding 13 of the third security round: log lines and metric labels could
 * be taken over. A 200 KB operation name wrote a 200 KB log line, and 100
 * invalid anonymous documents with invented names took every label slot, so
 * the real `Dashboard` was counted as `other`.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'info', maxBodyBytes: 512 * 1024 } });
});
afterAll(() => stack.stop());

const series = async () =>
  (await (await fetch(`${stack.url}/metrics`)).text())
    .split('\n')
    .filter((line) => line.startsWith('graphql_operations_total{'));

describe('logs and labels a caller cannot take over', () => {
  it('truncates a 200 KB operation name in the log line', async () => {
    const name = `Q${'x'.repeat(200_000)}`;
    expect((await post(stack.url, { query: `query ${name} { nodePoolCount }` })).status).toBe(200);
    const line = stack.logs.find(
      (l) => l['msg'] === 'graphql operation' && String(l['operation']).startsWith('Qxx'),
    );
    expect(String(line?.['operation']).length).toBeLessThanOrEqual(101);
    expect(JSON.stringify(line).length).toBeLessThan(2_000);
  });

  it('gives label slots only to operations that validated and carried credentials', async () => {
    // 100 invented names on documents that do not validate, then 100 without credentials.
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(stack.url, { query: `query Invalid${i} { noSuchField }` })),
    );
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(stack.url, { query: `query Anonymous${i} { nodePoolCount }` }, { token: 'not a token' }),
      ),
    );
    expect((await post(stack.url, { query: 'query Dashboard { nodePoolCount }' })).status).toBe(200);
    const lines = await series();
    expect(
      lines.some((l) => l.startsWith('graphql_operations_total{operation="Dashboard",outcome="success"}')),
    ).toBe(true);
    expect(lines.filter((l) => /operation="(Invalid|Anonymous)\d+"/.test(l))).toEqual([]);
  });
});
