import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './helpers/stack.js';

let stack: Stack | undefined;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack?.stop());

/** The GraphQL endpoint, known only once beforeAll has started the stack (audits ask for it lazily). */
const url = () => {
  if (!stack) throw new Error('the stack is not started');
  return `${stack.url}/graphql`;
};

async function describeFailure(result: AuditResult): Promise<string> {
  if (result.status === 'ok') return '';
  let body = '';
  try {
    body = await result.response.clone().text();
  } catch {
    // the audit already consumed the body
  }
  return `${result.name}: ${result.reason}\n  → HTTP ${result.response.status} ${body.slice(0, 500)}`;
}

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  for (const audit of serverAudits({ url, fetchFn: fetch })) {
    const required = audit.name.startsWith('MUST');
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (required) {
        expect(result.status, await describeFailure(result)).toBe('ok');
      } else if (result.status !== 'ok') {
        // SHOULD and MAY audits are recommendations: reported, not required.
        console.info(`[graphql-http ${result.status}] ${await describeFailure(result)}`);
      }
    });
  }
});
