import type { Child } from './processes.js';

/** The samples of a server's `/metrics`, by name with its labels as printed (`pollers_active{kind="list"}`). */
export async function scrape(server: Child): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^([A-Za-z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}
