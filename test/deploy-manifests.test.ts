import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { GATEWAY_NODE_FLAGS } from '../bench/lib/processes.js';
import { envName, legacyKnobs, loadConfig, SETTING_KEYS, TUNING_ENV } from '../src/config.js';

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

const dir = new URL('../deploy/kubernetes/', import.meta.url);
const load = (file: string): Manifest[] =>
  parseAllDocuments(readFileSync(new URL(file, dir), 'utf8')).map((d) => d.toJSON() as Manifest);

const kustomization = load('kustomization.yaml')[0] as unknown as { resources: string[] };
const manifests = kustomization.resources.flatMap(load);
const byKind = (kind: string) => manifests.find((m) => m.kind === kind) as Manifest;

interface Container {
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: string | number } };
  livenessProbe: { httpGet: { path: string; port: string | number } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { limits?: { memory?: string } };
}
const deployment = byKind('Deployment');
const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean; runAsUser: number };
  containers: Container[];
};
const container = pod.containers[0] as Container;
const configMap = byKind('ConfigMap');

describe('production entry points', () => {
  it('run the gateway with the same Node.js flags as the benchmarks measure', () => {
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd).toEqual(['node', ...GATEWAY_NODE_FLAGS, 'dist/main.js']);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['start:prod']).toBe(['node', ...GATEWAY_NODE_FLAGS, 'dist/main.js'].join(' '));
  });
});

describe('Kubernetes manifests', () => {
  it('apply as one kustomization: Deployment, Service, HPA, PDB and ConfigMap', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service'].sort(),
    );
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
  });

  it('probe the paths and the port the server serves', () => {
    const port = Number(configMap.data?.['PORT']);
    const http = container.ports.find((p) => p.name === 'http');
    expect(http?.containerPort).toBe(port);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const service = byKind('Service').spec as { ports: { targetPort: string }[] };
    expect(service.ports[0]?.targetPort).toBe('http');
  });

  it('run the container as non-root with a read-only root filesystem', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
  });

  it('give the pod longer to terminate than the preStop pause plus the shutdown deadline', () => {
    const shutdownMs = Number(configMap.data?.['SHUTDOWN_TIMEOUT_MS']);
    const preStopSeconds = Number(container.lifecycle?.preStop?.exec?.command.at(-1) ?? 0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + shutdownMs / 1000);
  });

  it('give each worker a heap the pod can hold: workers × old space plus their overhead within the memory limit', () => {
    const workers = Number(configMap.data?.['WORKERS']);
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(configMap.data?.['NODE_OPTIONS'] ?? '')?.[1]);
    const limitMi = Number(String(container.resources?.limits?.memory).replace(/Mi$/, ''));
    // About 60 MB beside the heap per process (code, buffers, the primary).
    expect(workers * (oldSpaceMb + 60) + 60).toBeLessThanOrEqual(limitMi);
  });

  it('hold only settings the gateway knows (no tuning knob the old way), with valid values', () => {
    const names = new Set([...SETTING_KEYS.map(envName), TUNING_ENV]);
    // Node's own settings pass through to the process.
    const node = new Set(['NODE_ENV', 'NODE_OPTIONS']);
    for (const name of Object.keys(configMap.data ?? {})) {
      if (node.has(name)) continue;
      expect(names.has(name), `${name} is not a gateway setting`).toBe(true);
    }
    expect(legacyKnobs(configMap.data ?? {})).toEqual([]);
    const config = loadConfig(configMap.data ?? {});
    expect(config.upstreamConnections).toBe(64);
  });
});
