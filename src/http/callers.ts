import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';

/**
 * Where a request comes from: its client address, which the rate limit
 * charges while the request's token is not yet a caller of its own (anyone
 * can invent tokens), and which proxies' word on it is believed.
 */

/** Which proxies' `X-Forwarded-For` the gateway believes (TRUSTED_PROXIES, proxy-addr's syntax); none when absent. */
export type TrustProxy = ((address: string, hop: number) => boolean) | undefined;

/** Compiles TRUSTED_PROXIES: addresses, CIDRs, or `loopback`, `linklocal`, `uniquelocal`. Throws on a bad entry. */
export function trustProxies(list: readonly string[]): TrustProxy {
  return list.length > 0 ? proxyaddr.compile([...list]) : undefined;
}

/**
 * The address a request is charged to: the TCP peer, or, when the peer is a
 * trusted proxy, the nearest address in `X-Forwarded-For` that is not
 * (proxy-addr). An IPv6 client counts as its /64, since one host holds a
 * whole /64; an IPv4-mapped one as its IPv4 address.
 */
export function clientAddressOf(req: IncomingMessage, trust: TrustProxy): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (trust) {
    try {
      address = proxyaddr(req, trust);
    } catch {
      // A malformed X-Forwarded-For: the peer it came from is the client.
    }
  }
  if (isIPv4(address)) return address;
  if (!ipaddr.isValid(address)) return address || 'unknown';
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((part) => part.toString(16)).join(':')}::/64`;
}
