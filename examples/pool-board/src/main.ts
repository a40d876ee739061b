import { createPoolBoardClient } from './client.js';
import { PoolBoard, PoolBoardChanges } from './documents.js';

interface Row {
  id: string;
  name: string;
  clusterName?: string | null;
  phase?: string | null;
  labelValue?: string | null;
  gpu?: number | null;
}

const params = new URLSearchParams(location.search);
const client = createPoolBoardClient({
  gateway: params.get('gateway') ?? import.meta.env.VITE_GATEWAY_URL ?? 'http://127.0.0.1:4000',
  token: params.get('token') ?? import.meta.env.VITE_RUNAI_TOKEN ?? 'demo-admin',
  persistedOnly: (params.get('persisted') ?? import.meta.env.VITE_PERSISTED_ONLY) === 'true',
});
const rows = new Map<string, Row>();
const status = document.querySelector('#status') as HTMLElement;
const body = document.querySelector('#pools') as HTMLElement;

function render(): void {
  body.replaceChildren(
    ...[...rows.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((row) => {
        const tr = document.createElement('tr');
        tr.dataset['id'] = row.id;
        for (const text of [
          row.name,
          row.clusterName ?? '',
          row.phase ?? '',
          row.labelValue ?? '',
          row.gpu == null ? '–' : `${row.gpu.toFixed(0)} %`,
        ]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
  );
}

async function load(): Promise<void> {
  const result = await client.query(PoolBoard, {}).toPromise();
  if (result.error) {
    status.textContent = `error: ${result.error.message}`;
    return;
  }
  rows.clear();
  for (const edge of result.data?.nodePools?.edges ?? []) {
    const { gpu, ...pool } = edge.node;
    rows.set(pool.id, { ...pool, gpu: gpu?.series[0]?.latest?.value ?? null });
  }
  status.textContent = `${rows.size} pools, live`;
  render();
}

await load();
client.subscription(PoolBoardChanges, {}).subscribe((result) => {
  const change = result.data?.nodePoolChanged;
  if (!change) return;
  // The gateway's queue for this subscriber overflowed, or the feed could not resume: start again from the query.
  if (change.missedEvents > 0 || change.kind === 'RESYNC' || !change.nodePool) return void load();
  const pool = change.nodePool;
  if (change.kind === 'DELETED') rows.delete(pool.id);
  else rows.set(pool.id, { ...rows.get(pool.id), ...pool });
  render();
});
