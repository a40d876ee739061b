import { isIP } from 'node:net';

/**
 * Whether a request's `Host` names this gateway, for the modes in which it
 * acts on credentials the caller did not send (demo mode, service
 * credentials). A page on a domain the attacker rebinds to the gateway's
 * address (DNS rebinding) is same-origin for the browser, so neither CORS
 * nor the Origin check stops it; its `Host` still names the attacker's
 * domain. Loopback names (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`)
 * and the hosts of ALLOWED_HOSTS are answered; any port.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const name = hostnameOf(host);
  if (name === undefined) return false;
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  if (isIP(name) === 4 && name.startsWith('127.')) return true;
  return allowed.includes(name);
}

/** The host name of a `Host` value, lower case, without its port or IPv6 brackets. */
function hostnameOf(host: string): string | undefined {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : undefined;
  }
  const colon = value.lastIndexOf(':');
  return colon >= 0 ? value.slice(0, colon) : value;
}

/** The refusal's message: the host, and what to set. */
export function hostRefusal(host: string | undefined): string {
  return `The Host ${JSON.stringify(host ?? '')} is not served: in demo mode and with service credentials the gateway answers only loopback names and the hosts listed in ALLOWED_HOSTS.`;
}
