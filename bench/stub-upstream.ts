/**
 * A fast stand-in for Run:ai in the throughput benchmark: it answers
 * `GET /api/v1/node-pools/{id}` with a fixed pool for any bearer token, with
 * none of the simulator's validation, so the figures measure the servers in
 * front of it rather than the upstream.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const pool = (id: string) =>
  JSON.stringify({
    id,
    name: `pool-${id}`,
    clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
    clusterName: 'prod-cluster',
    tenantId: 1001,
    labelKey: 'node-pool-type',
    labelValue: `pool-${id}`,
    isDefault: false,
    phase: 'Ready',
    phaseMessage: '',
    status: { nodes: ['gpu-node-1', 'gpu-node-2'], gpuNetworkAccelerationDetected: false },
    gpuNetworkAccelerationDetection: 'Auto',
    gpuResourceOptimization: { swapEnabled: false, nodeLevelSchedulerEnabled: false },
    placementStrategy: { cpu: 'binpack', gpu: 'binpack' },
    createdBy: 'admin@lab.com',
    createdAt: '2025-02-10T12:09:18.211Z',
    updatedBy: 'admin@lab.com',
    updatedAt: '2025-02-10T12:09:18.211Z',
    deletedAt: null,
  });

const server = createServer((req, res) => {
  const id = /^\/api\/v1\/node-pools\/(\d+)$/.exec(req.url ?? '')?.[1];
  if (!req.headers.authorization?.startsWith('Bearer ')) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":401,"message":"Unauthorized"}');
  } else if (req.method === 'GET' && id) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(pool(id));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":404,"message":"Not found"}');
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`stub upstream listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
