import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * No caller can hurt another: one tenant floods the gateway with requests
 * Run:ai refuses (invalid tokens, oversized input, 429s, even 5xx of its own),
 * and every request of the other tenant succeeds meanwhile; /readyz stays 200.
 * Before, every unlisted 4xx and each 429 counted against one shared circuit,
 * which opened for everyone.
 */

const VICTIM = 'demo-admin';
const ATTACKER = 'demo-admin-2';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    config: {
      logLevel: 'silent',
      // A hair trigger, so that a circuit shared between tenants would open within the flood.
      circuitVolumeThreshold: 4,
      circuitErrorThresholdPercent: 25,
      circuitResetTimeoutMs: 60_000,
      upstreamMaxRetries: 0,
    },
  });
});
afterAll(() => stack.stop());

const POOLS = '{ nodePools(first: 3) { edges { node { name } } } }';

/** The victim's query succeeds, from Run:ai. */
async function victimSucceeds() {
  const answer = await post(stack.url, { query: POOLS }, { token: VICTIM });
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  expect(answer.status).toBe(200);
}

describe('one tenant flooding the gateway', () => {
  it('with refused requests (401, oversized input, 429, its own 5xx) leaves the other tenant and /readyz untouched', async () => {
    const flood: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      // Invalid tokens: Run:ai answers 401.
      flood.push(post(stack.url, { query: POOLS }, { token: `stolen-${i}` }));
      // Oversized ids: refused before any call.
      flood.push(
        post(
          stack.url,
          { query: `{ nodePool(id: "${'9'.repeat(20_000)}") { name } }` },
          { token: `stolen-${i}` },
        ),
      );
    }
    // Run:ai throttles the attacker (429) and fails its calls (503), and only its calls.
    stack.simulator.faults.failNext(20, 429, { token: ATTACKER, retryAfterSeconds: 30 });
    stack.simulator.faults.failNext(20, 503, { token: ATTACKER });
    for (let i = 0; i < 40; i++) flood.push(post(stack.url, { query: POOLS }, { token: ATTACKER }));
    await Promise.all(flood);

    for (let i = 0; i < 10; i++) await victimSucceeds();
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
  });

  it('backs off only the credential a 429 was for, for as long as Retry-After asks', async () => {
    const own = await startStack({ config: { logLevel: 'silent', upstreamMaxRetries: 0 } });
    try {
      own.simulator.faults.failNext(1, 429, { token: 'demo-viewer', retryAfterSeconds: 60 });
      const throttled = await post(own.url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' });
      expect(throttled.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      own.simulator.clearRequests();
      // The same credential is told to wait, without another call to Run:ai.
      const again = await post(own.url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' });
      expect(again.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(again.body.errors?.[0]?.message).toMatch(/retry in (59|60) s/);
      expect(own.simulator.requests).toHaveLength(0);
      // Nobody else waits.
      const other = await post(own.url, { query: '{ nodePoolCount }' }, { token: VICTIM });
      expect(other.body.errors).toBeUndefined();
      const metrics = await (await fetch(`${own.url}/metrics`)).text();
      expect(metrics).toMatch(/^upstream_credentials_backing_off 1$/m);
    } finally {
      await own.stop();
    }
  });

  it("caps one credential's calls in flight, so a burst cannot take every connection to Run:ai", async () => {
    const capped = await startStack({ config: { logLevel: 'silent', upstreamConcurrencyPerCredential: 2 } });
    try {
      capped.simulator.faults.setLatency(300, { operation: 'get_nodepool' });
      const burst = Array.from({ length: 8 }, (_, i) =>
        post(capped.url, { query: `{ nodePool(id: "${i + 1}") { name } }` }, { token: ATTACKER }),
      );
      const inFlight = () =>
        capped.simulator.requests.filter((r) => r.token === ATTACKER && r.status === 0 && !r.aborted).length;
      let most = 0;
      const sampling = setInterval(() => {
        most = Math.max(most, inFlight());
      }, 5);
      // The other tenant's call is not queued behind the burst.
      await expect.poll(inFlight).toBe(2);
      const victim = await post(capped.url, { query: '{ nodePoolCount }' }, { token: VICTIM });
      expect(victim.body.errors).toBeUndefined();
      expect(inFlight()).toBeGreaterThan(0);
      await Promise.all(burst);
      clearInterval(sampling);
      expect(most).toBe(2);
    } finally {
      await capped.stop();
    }
  });
});
