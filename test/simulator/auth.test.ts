import { DEFAULT_TOKENS, SEED_CLUSTERS } from 'runai-simulator';
import type { components } from 'runai-simulator/openapi-types';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

type Nodepool = components['schemas']['Nodepool'];
const UNAUTHORIZED = { code: 401, message: 'Issuer is not familiar.' };
const FORBIDDEN = { code: 403, message: 'You do not have sufficient permissions.' };

describe('simulator: authentication and authorisation', () => {
  it('answers 401 without a token and with an unknown token', async () => {
    const sim = await startSimulator();
    expect(await call(sim, '/api/v1/node-pools', { token: null })).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
    expect(await call(sim, '/api/v1/node-pools', { token: 'nope' })).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
  });

  it('authenticates before validating (401 wins over 400)', async () => {
    const sim = await startSimulator();
    expect((await call(sim, '/api/v1/node-pools?limit=0', { token: null })).status).toBe(401);
  });

  it('lets a viewer read but answers 403 to every write, legacy included', async () => {
    const sim = await startSimulator();
    const viewer = { token: 'demo-viewer' };
    expect((await call(sim, '/api/v1/node-pools', viewer)).status).toBe(200);
    const body = { name: 'x', labelKey: 'k', labelValue: 'v', clusterId: SEED_CLUSTERS.prod.id };
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/api/v1/node-pools', body],
      ['PUT', '/api/v1/node-pools/2', {}],
      ['PATCH', '/api/v1/node-pools/2', {}],
      ['DELETE', '/api/v1/node-pools/2', undefined],
      [
        'POST',
        `/v1/k8s/clusters/${SEED_CLUSTERS.prod.id}/node-pools`,
        { name: 'x', labelKey: 'k', labelValue: 'v' },
      ],
      ['DELETE', `/v1/k8s/clusters/${SEED_CLUSTERS.prod.id}/node-pools/2`, undefined],
    ];
    for (const [method, path, payload] of writes) {
      const res = await call(sim, path, { ...viewer, method, body: payload });
      expect(res, `${method} ${path}`).toMatchObject({ status: 403, body: FORBIDDEN });
    }
  });

  it('isolates tenants: demo-admin-2 sees none of tenant 1001 and gets 404 on its ids and clusters', async () => {
    const sim = await startSimulator();
    const other = { token: 'demo-admin-2' };
    const list = await call<{ nodepools: Nodepool[] }>(sim, '/api/v1/node-pools', other);
    expect(list.body.nodepools.map((p) => p.tenantId)).toEqual([1002, 1002, 1002]);
    expect(list.body.nodepools.map((p) => p.clusterId)).toEqual(Array(3).fill(SEED_CLUSTERS.partner.id));
    expect((await call(sim, '/api/v1/node-pools/2', other)).status).toBe(404);
    expect((await call(sim, '/api/v1/node-pools/2', { ...other, method: 'DELETE' })).status).toBe(404);
    expect((await call(sim, `/v1/k8s/clusters/${SEED_CLUSTERS.prod.id}/node-pools`, other)).status).toBe(404);
    const metrics = `/api/v1/clusters/${SEED_CLUSTERS.prod.id}/nodepools/a100/metrics?start=2025-01-01T00:00:00Z&end=2025-01-02T00:00:00Z&metricType=TOTAL_GPU`;
    expect((await call(sim, metrics, other)).status).toBe(404);
    const count = await call(
      sim,
      `/api/v1/node-pools/count?filterBy=${encodeURIComponent('name==h100')}`,
      other,
    );
    expect(count.body).toEqual({ count: 0 });
  });

  it('revokes a token at run time with setToken(token, null) and adds one with setToken(token, entry)', async () => {
    const sim = await startSimulator();
    sim.setToken('demo-admin', null);
    expect((await call(sim, '/api/v1/node-pools')).status).toBe(401);
    sim.setToken('fresh', { tenantId: 1002, role: 'viewer' });
    expect((await call(sim, '/api/v1/node-pools/count', { token: 'fresh' })).body).toEqual({ count: 3 });
  });

  it('replaces the default tokens with the tokens option', async () => {
    const sim = await startSimulator({ tokens: { only: { tenantId: 1001, role: 'admin' } } });
    expect(Object.keys(DEFAULT_TOKENS)).toContain('demo-admin');
    expect((await call(sim, '/api/v1/node-pools')).status).toBe(401);
    expect((await call(sim, '/api/v1/node-pools', { token: 'only' })).status).toBe(200);
  });
});

describe('simulator: token endpoint', () => {
  it.each(['clientId', 'clientID'])(
    'issues a usable token for client credentials (spelled %s)',
    async (key) => {
      const sim = await startSimulator();
      const res = await call<{
        accessToken: string;
        idToken: string;
        refreshToken: string;
        expiresIn: number;
      }>(sim, '/api/v1/token', {
        token: null,
        method: 'POST',
        body: { grantType: 'client_credentials', [key]: 'demo-client', clientSecret: 'demo-secret' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        expiresIn: 3600,
        accessToken: expect.any(String),
        idToken: expect.any(String),
      });
      const payload = JSON.parse(
        Buffer.from(res.body.accessToken.split('.')[1] ?? '', 'base64url').toString(),
      );
      expect(payload.exp - payload.iat).toBe(3600);
      expect((await call(sim, '/api/v1/node-pools/count', { token: res.body.accessToken })).body).toEqual({
        count: 12,
      });
      expect(sim.requests[0]?.operation).toBe('issue_token');
    },
  );

  it('answers 401 to a wrong secret and 400 to a wrong grant type', async () => {
    const sim = await startSimulator();
    const wrong = await call(sim, '/api/v1/token', {
      token: null,
      method: 'POST',
      body: { grantType: 'client_credentials', clientId: 'demo-client', clientSecret: 'nope' },
    });
    expect(wrong).toMatchObject({ status: 401, body: { code: 401 } });
    const grant = await call(sim, '/api/v1/token', {
      token: null,
      method: 'POST',
      body: { grantType: 'password', clientId: 'demo-client', clientSecret: 'demo-secret' },
    });
    expect(grant.status).toBe(400);
  });

  it('expires issued tokens after tokenTtlSeconds (clock from the now option)', async () => {
    let clock = Date.parse('2025-06-01T00:00:00Z');
    const sim = await startSimulator({ tokenTtlSeconds: 60, now: () => clock });
    const issued = await call<{ accessToken: string; expiresIn: number }>(sim, '/api/v1/token', {
      token: null,
      method: 'POST',
      body: { grantType: 'client_credentials', clientId: 'demo-client', clientSecret: 'demo-secret' },
    });
    expect(issued.body.expiresIn).toBe(60);
    const token = issued.body.accessToken;
    clock += 59_000;
    expect((await call(sim, '/api/v1/node-pools/count', { token })).status).toBe(200);
    clock += 1_000;
    expect(await call(sim, '/api/v1/node-pools/count', { token })).toMatchObject({
      status: 401,
      body: UNAUTHORIZED,
    });
  });
});
