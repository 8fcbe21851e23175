import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AxiosInstance } from 'axios';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * Where a provider client may send credentials. Each provider names its own production and documented sandbox
 * origins (https); any other origin must be allowed by the operator (`JOBRELAY_ALLOWED_PROVIDER_ORIGINS`). http is
 * taken for loopback only. Loopback, private, link-local (cloud metadata) and other non-public addresses are
 * refused unless the operator allowed them: an allowed origin whose host is that address (or `localhost`), or a
 * CIDR range in the same list. The address is checked again when a connection is made, on what the name resolved
 * to then, so a name that later points elsewhere (DNS rebinding) gets nothing.
 *
 * Behind an egress proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), a request is tunnelled through it (CONNECT) and
 * the proxy resolves the name: the name is resolved and checked here first, and nothing is sent when it is refused.
 */

/** The error code of a request refused here; `toProviderFailure` makes it non-retryable. */
export const ORIGIN_REFUSED = 'ERR_ORIGIN_REFUSED';

export class OriginRefusedError extends Error {
  override name = 'OriginRefusedError';
  readonly code = ORIGIN_REFUSED;
}

const NON_PUBLIC = new net.BlockList();
for (const [range, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(range, bits, 'ipv4');
for (const [range, bits] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(range, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, else the address itself. */
function embeddedIPv4(address: string): string {
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return address;
  const [hi, lo] = [Number.parseInt(hex[1], 16), Number.parseInt(hex[2], 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function isPublic(address: string): boolean {
  const ip = embeddedIPv4(address);
  const family = net.isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  return !NON_PUBLIC.check(ip, family);
}

const isLoopback = (address: string) => {
  const ip = embeddedIPv4(address);
  return ip === '::1' || ip.startsWith('127.');
};

/** URL hostnames keep IPv6 literals in brackets. */
const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

interface AllowedOrigin {
  protocol: string;
  hostname: string;
  /** `*` for any port (a loopback test server on a port of its own). */
  port: string;
}

/**
 * The egress proxy the environment names for a URL (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, in either case).
 * Loopback is never proxied (as Go's `ProxyFromEnvironment`): a proxy cannot reach this machine's own servers.
 */
export function proxyFromEnvironment(url: string): string | undefined {
  const hostname = parseUrl(url)?.hostname;
  if (!hostname || hostname === 'localhost' || (net.isIP(bare(hostname)) && isLoopback(bare(hostname)))) return undefined;
  return getProxyForUrl(url) || undefined;
}

/** For `refusal` and `bind`: any public https origin (webhook destinations), not a provider's own. */
export const ANY_PUBLIC_ORIGIN = 'any-public-origin';

export class OriginPolicy {
  private readonly origins: AllowedOrigin[] = [];
  private readonly ranges = new net.BlockList();
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly tunnels = new Map<string, HttpsProxyAgent<string>>();

  /**
   * `allowed`: the operator's origins and CIDR ranges; throws on an entry that is neither. `resolve` is how names
   * become addresses (tests give their own).
   */
  constructor(
    allowed: readonly string[] = [],
    private readonly resolve: typeof dns.lookup = dns.lookup,
    /** The setting that allows more, named in refusals. */
    private readonly allowedBy = 'JOBRELAY_ALLOWED_PROVIDER_ORIGINS',
    /** The egress proxy a request to this URL goes through, if any (from the environment: `proxyFromEnvironment`). */
    private readonly proxyFor: (url: string) => string | undefined = () => undefined,
  ) {
    for (const entry of allowed) {
      const cidr = /^([0-9a-f.:]+)\/(\d{1,3})$/i.exec(entry);
      if (cidr && net.isIP(cidr[1])) {
        this.ranges.addSubnet(cidr[1], Number(cidr[2]), net.isIP(cidr[1]) === 6 ? 'ipv6' : 'ipv4');
        continue;
      }
      const match = /^(https?):\/\/([^/:]+|\[[0-9a-f:.]+\]):(\*)$/i.exec(entry);
      const url = match ? new URL(`${match[1]}://${match[2]}`) : parseUrl(entry);
      if (!url || url.origin === 'null' || url.pathname !== '/' || url.search || url.username)
        throw new Error(`"${entry}" is not an origin (scheme://host[:port], port * for any) nor a CIDR range`);
      if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
        throw new Error(`"${entry}": plain http is allowed for loopback only; use https`);
      this.origins.push({ protocol: url.protocol, hostname: bare(url.hostname), port: match ? '*' : url.port });
    }
    const lookup = this.lookup.bind(this) as unknown as net.LookupFunction;
    this.agents = { http: new http.Agent({ lookup, keepAlive: true }), https: new https.Agent({ lookup, keepAlive: true }) };
  }

  /**
   * Why a client of a provider whose own origins are `known` may not use `baseUrl`; undefined when it may.
   * `known` = ANY_PUBLIC_ORIGIN (webhook destinations): any https origin, whose address is checked like the rest.
   * The reason names what to do, for a 422 or an operator.
   */
  refusal(known: readonly string[] | typeof ANY_PUBLIC_ORIGIN, baseUrl: string): string | undefined {
    const url = parseUrl(baseUrl);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return `${safe(baseUrl)} is not an http(s) URL`;
    if (url.username || url.password) return 'a base URL must not carry credentials';
    if (known !== ANY_PUBLIC_ORIGIN && known.includes(url.origin)) return undefined;
    const allowed = this.origins.some(
      (o) => o.protocol === url.protocol && o.hostname === bare(url.hostname) && (o.port === '*' || o.port === url.port),
    );
    if (!allowed && known !== ANY_PUBLIC_ORIGIN)
      return `${url.origin} is not one of this provider's API origins (${known.join(', ')}); an operator may allow it with ${this.allowedBy}`;
    if (url.protocol === 'http:' && !(allowed && isLoopbackHost(url.hostname)))
      return `${url.origin}: ${known === ANY_PUBLIC_ORIGIN ? 'deliveries' : 'credentials'} go over https only`;
    const literal = bare(url.hostname);
    if (net.isIP(literal) && !this.addressAllowed(literal, literal))
      return `${url.origin}: address not allowed (private, loopback or metadata); an operator may allow it with ${this.allowedBy}`;
    if (!allowed && literal === 'localhost')
      return `${url.origin}: loopback is not allowed; an operator may allow it with ${this.allowedBy}`;
    return undefined;
  }

  /**
   * Keeps an axios client on its base URL's origin: every request is checked against the policy (and must stay on
   * that origin), redirects are not followed, and connections go through agents that check resolved addresses.
   */
  bind(client: AxiosInstance, known: readonly string[] | typeof ANY_PUBLIC_ORIGIN): void {
    const base = parseUrl(client.defaults.baseURL ?? '');
    client.defaults.httpAgent = this.agents.http;
    client.defaults.httpsAgent = this.agents.https;
    client.defaults.maxRedirects = 0;
    client.defaults.proxy = false;
    client.interceptors.request.use(async (config) => {
      const target = parseUrl(client.getUri(config));
      const reason = !target
        ? 'not a URL'
        : base && target.origin !== base.origin
          ? `${target.origin} is not the origin the credentials were saved for (${base.origin})`
          : this.refusal(known, target.toString());
      if (reason || !target) throw new OriginRefusedError(`request refused: ${reason}`);
      const proxy = this.proxyFor(target.toString());
      if (proxy) {
        await this.checkResolved(bare(target.hostname));
        config.httpAgent = config.httpsAgent = this.tunnelThrough(proxy);
      }
      return config;
    });
  }

  /** Through a proxy, the proxy resolves the name: it is resolved and checked here before anything is sent. */
  private checkResolved(hostname: string): Promise<void> {
    return new Promise((resolve, reject) => this.lookup(hostname, { all: true }, (err) => (err ? reject(err) : resolve())));
  }

  private tunnelThrough(proxy: string): HttpsProxyAgent<string> {
    let agent = this.tunnels.get(proxy);
    if (!agent) {
      agent = new HttpsProxyAgent(proxy, { keepAlive: true });
      this.tunnels.set(proxy, agent);
    }
    return agent;
  }

  /** An address that a request may connect to for `hostname`. */
  private addressAllowed(hostname: string, address: string): boolean {
    if (isPublic(address)) return true;
    const ip = embeddedIPv4(address);
    if (this.ranges.check(ip, net.isIP(ip) === 6 ? 'ipv6' : 'ipv4')) return true;
    // The operator named the address itself, or `localhost` (which resolves to loopback).
    return this.origins.some(
      (o) =>
        (o.hostname === hostname && net.isIP(hostname) !== 0) ||
        (o.hostname === 'localhost' && hostname === 'localhost' && isLoopback(address)),
    );
  }

  private lookup(hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void): void {
    this.resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const refused = addresses.find((a) => !this.addressAllowed(hostname, a.address));
      if (refused)
        return callback(new OriginRefusedError(`${hostname} resolved to ${refused.address}, an address not allowed (${this.allowedBy})`));
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isLoopbackHost(hostname: string): boolean {
  const host = bare(hostname);
  return host === 'localhost' || (net.isIP(host) !== 0 && isLoopback(host));
}

const safe = (value: string) => JSON.stringify(value.slice(0, 100));

/** The origin credentials are used at with this base URL (unset: the provider's production API, listed first). */
export function originOf(baseUrl: string | undefined, known: readonly string[]): string {
  return (baseUrl && parseUrl(baseUrl)?.origin) || known[0];
}

/** Stored credentials asked to go to an origin they were not saved for: a person must enter them again. */
export class CredentialsElsewhereError extends Error {
  override name = 'CredentialsElsewhereError';
}

/** Throws unless credentials saved for `saved` may go to `current` (rows from before the binding carry no origin). */
export function assertSavedFor(saved: string | null | undefined, current: string, what: string): void {
  if (saved && saved !== current)
    throw new CredentialsElsewhereError(`${what} were saved for ${saved}, not ${current}: enter them again for the new address`);
}
