import { createSimulator, type Simulator } from 'runai-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';

/**
 * Finding 1 and 2 of the third security round: a request could end the
 * process. The gateway runs as a process of its own here, so a crash shows
 * as an exit rather than as an error in the test runner.
 */

let simulator: Simulator;
const gateways: GatewayProcess[] = [];
beforeAll(async () => {
  simulator = createSimulator();
  await simulator.start(0, '127.0.0.1');
});
afterAll(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
  await simulator.stop();
});

async function gateway(env: Record<string, string>) {
  const started = await startGatewayProcess({ RUNAI_URL: simulator.url, ...env });
  gateways.push(started);
  return started;
}

async function getJson(url: string, token?: string) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text) as { errors?: { extensions?: Record<string, unknown> }[] },
  };
}

describe('the CSV export cannot end the process', () => {
  it('answers a malformed percent-encoding in the pool id with 400 BAD_USER_INPUT, and lives on (finding 1)', async () => {
    const gw = await gateway({});
    for (let i = 0; i < 4; i++) {
      const answer = await getJson(`${gw.url}/export/nodepools/%E0%A4%A/metrics.csv`, 'invented-token');
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
    expect(gw.alive).toBe(true);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it('answers 401 UNAUTHENTICATED when Run:ai refuses the service credentials, and lives on (finding 2)', async () => {
    const gw = await gateway({ RUNAI_CLIENT_ID: 'demo-client', RUNAI_CLIENT_SECRET: 'not-the-secret' });
    for (let i = 0; i < 3; i++) {
      const answer = await getJson(`${gw.url}/export/nodepools/1/metrics.csv?types=GPU_UTILIZATION`);
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
    expect(gw.alive).toBe(true);
    // /graphql answers the same failure the same way.
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ nodePoolCount }' }),
    });
    expect(res.status).toBe(401);
    expect(gw.alive).toBe(true);
  });
});
