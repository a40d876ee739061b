import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import type { CredentialVerdicts } from './credential-verdicts.js';
import type { SentCredentials } from './credentials.js';

/**
 * Who pays for a request: the rate limit and the live layer's budgets
 * charge a caller. Anyone can invent tokens, so a token is a caller of its
 * own only once Run:ai has accepted it; until then its requests are
 * charged to the client address, like those of callers without a token.
 */

/**
 * The caller whose live budgets a request spends (subscriptions, pollers,
 * queued bytes): its own token's scope, or, for a caller on ambient
 * credentials (demo mode, service credentials), its client address. An
 * invented token holds nothing for long: its first poll is answered 401,
 * which ends its subscriptions.
 */
export function callerOf(sent: SentCredentials, address: string): string {
  return sent.kind === 'bearer' ? `token:${sent.scope}` : `address:${address}`;
}

/**
 * The key the rate limit charges: the token's scope once Run:ai has
 * accepted that token, otherwise the client address, so that invented
 * tokens share their sender's budget (and nothing is kept of a token Run:ai
 * has not accepted).
 */
export function rateKeyOf(
  sent: SentCredentials,
  address: string,
  verdicts: CredentialVerdicts | undefined,
): string {
  if (sent.kind === 'bearer' && verdicts?.isAccepted(sent.scope)) return `token:${sent.scope}`;
  return `address:${address}`;
}

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
