/** Reads and clears the request log of a simulator process through its `/_simulator/` control endpoints. */
export async function upstreamCalls(simulatorUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${simulatorUrl}/_simulator/requests`);
  const requests = (await res.json()) as { operation: string }[];
  const counts: Record<string, number> = {};
  for (const r of requests) counts[r.operation] = (counts[r.operation] ?? 0) + 1;
  return counts;
}

export async function clearCalls(simulatorUrl: string): Promise<void> {
  await fetch(`${simulatorUrl}/_simulator/requests`, { method: 'DELETE' });
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
