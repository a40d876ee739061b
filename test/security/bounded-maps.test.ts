import { createSimulator, type Simulator } from 'runai-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { countNodePools } from '../../src/upstream/nodepools-api.js';

/**
 * Finding 14 of the third security round: the per-credential back-off map
 * grew by one entry per invented token answered 429 (20,000 entries after
 * 20,000 tokens, each for an hour). Every map keyed by what callers send is
 * bounded: back-offs and circuit breakers here; refused and accepted tokens
 * in test/security/invented-tokens.test.ts.
 */

let simulator: Simulator;
beforeAll(async () => {
  simulator = createSimulator();
  await simulator.start(0, '127.0.0.1');
});
afterAll(() => simulator.stop());

function client(options: Partial<ConstructorParameters<typeof UpstreamHttp>[0]> = {}) {
  return new UpstreamHttp({
    baseUrl: simulator.url,
    connectTimeoutMs: 1_000,
    headersTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
    maxRetries: 0,
    ...options,
  });
}

describe('maps keyed by what callers send', () => {
  it('holds at most maxBackoffCredentials back-offs, however many credentials Run:ai answers 429 for an hour', async () => {
    const http = client({ maxBackoffCredentials: 100 });
    try {
      simulator.faults.failNext(1_000, 429, { retryAfterSeconds: 3_600 });
      for (let batch = 0; batch < 10; batch++) {
        await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) => countNodePools({ http, token: `invented-${batch}-${i}` })),
        );
      }
      expect(http.credentialEntries.backoffs).toBeLessThanOrEqual(100);
      expect(http.backingOff).toBeLessThanOrEqual(100);
      // The most recent still back off: their next call fails at once, without reaching Run:ai.
      const calls = simulator.requests.length;
      await expect(countNodePools({ http, token: 'invented-9-99' })).rejects.toMatchObject({
        code: 'RATE_LIMITED',
      });
      expect(simulator.requests.length).toBe(calls);
    } finally {
      simulator.faults.reset();
      await http.close();
    }
  });

  it('holds at most 1,000 circuit breakers, however many credentials see Run:ai fail', async () => {
    const http = client();
    try {
      simulator.faults.failNext(1_500, 500);
      for (let batch = 0; batch < 15; batch++) {
        await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) => countNodePools({ http, token: `failing-${batch}-${i}` })),
        );
      }
      expect(http.credentialEntries.breakers).toBeLessThanOrEqual(1_000);
    } finally {
      simulator.faults.reset();
      await http.close();
    }
  });
});
