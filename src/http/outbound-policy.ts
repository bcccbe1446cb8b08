/**
 * Where outbound HTTP calls may go. One policy for every call a task can steer — `http-request`, the callback
 * after completion, the clients of bound services, and the `http` client a work unit gets — so that a process
 * variable cannot make BPTL call its own network (SSRF):
 *
 * - `http:` and `https:` only, and no user or password in the URL;
 * - the origin must be allowed: the topic's `outbound.allowedOrigins`, else BPTL_OUTBOUND_ALLOWED_ORIGINS
 *   (default `*`: any origin on a public address); a configured service's own origin is always allowed;
 * - an address that is not public (loopback, private, link-local — the cloud metadata endpoints —, CGNAT,
 *   multicast, reserved) is refused unless the origin is listed explicitly (not through `*` or `*.domain`) or the
 *   address lies in BPTL_OUTBOUND_ALLOWED_NETWORKS. Checked on the resolved address, when the connection is made
 *   (a name that resolves to 127.0.0.1 is refused like 127.0.0.1 itself);
 * - every redirect is checked as the first request was, and loses the credentials when it leaves the origin;
 * - an answer larger than BPTL_OUTBOUND_MAX_RESPONSE_BYTES is refused while it is read.
 *
 * A refused call is an OutboundRefusedError: non-retryable, naming the origin and the setting to change.
 */

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { NonRetryableError } from '../errors.ts';

/** The error code of a refused call (on the error and on the AxiosError around it). */
export const OUTBOUND_REFUSED = 'ERR_OUTBOUND_REFUSED';

export const ALLOWED_ORIGINS_VARIABLE = 'BPTL_OUTBOUND_ALLOWED_ORIGINS';
export const ALLOWED_NETWORKS_VARIABLE = 'BPTL_OUTBOUND_ALLOWED_NETWORKS';
export const MAX_RESPONSE_BYTES_VARIABLE = 'BPTL_OUTBOUND_MAX_RESPONSE_BYTES';

/** The default of BPTL_OUTBOUND_MAX_RESPONSE_BYTES: 5 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** How many redirects a call follows (each one checked). */
export const MAX_REDIRECTS = 5;

/** Thrown (or found as the cause of an HTTP client's error) when the policy refuses a call. */
export class OutboundRefusedError extends NonRetryableError {
  override readonly name = 'OutboundRefusedError';
  readonly code = OUTBOUND_REFUSED;
  /** The origin that was refused (scheme://host[:port]), or the scheme for a URL that is not http(s). */
  readonly origin: string;
  /** The setting that would allow the call. */
  readonly setting: string | undefined;
  constructor(message: string, origin: string, setting?: string) {
    super(message);
    this.origin = origin;
    this.setting = setting;
  }
}

/** The first OutboundRefusedError in an error's chain of causes. */
export function findOutboundRefusal(error: unknown): OutboundRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof OutboundRefusedError) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * An allowed origin: `*` (any origin on a public address), `https://*.example.nl` (that domain's subdomains, any
 * port given or the scheme's default) or an exact origin `https://zaken.example.nl:8443` — only an exact origin
 * is "listed explicitly" and may be on a private address.
 */
export type OriginPattern =
  | { kind: 'any' }
  | { kind: 'exact'; origin: string; hostname: string }
  | { kind: 'subdomains'; protocol: string; suffix: string; port: string };

/** Parses one allowed origin; throws a TypeError saying what is wrong. */
export function parseOriginPattern(text: string): OriginPattern {
  const value = text.trim();
  if (value === '*') return { kind: 'any' };
  const wildcard = /^(https?):\/\/\*\.([^/:]+)(?::(\d+))?$/i.exec(value);
  if (wildcard) {
    const [, protocol = '', suffix = '', port = ''] = wildcard;
    const probe = new URL(`${protocol}://x.${suffix}${port ? `:${port}` : ''}`);
    return {
      kind: 'subdomains',
      protocol: `${protocol.toLowerCase()}:`,
      suffix: probe.hostname.slice(2),
      port: probe.port,
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`'${value}' is not an origin (write https://host[:port], https://*.domain or *)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`'${value}': only http and https origins can be allowed`);
  }
  if (
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    throw new TypeError(`'${value}' is not an origin: write scheme://host[:port] only, without path or user`);
  }
  return { kind: 'exact', origin: url.origin, hostname: url.hostname };
}

/** Parses a list of allowed origins (comma- or space-separated text, or an array). */
export function parseOriginPatterns(value: string | readonly string[]): OriginPattern[] {
  const items = typeof value === 'string' ? value.split(/[\s,]+/) : value;
  return items.filter((item) => item.trim() !== '').map(parseOriginPattern);
}

function matches(pattern: OriginPattern, url: URL): boolean {
  switch (pattern.kind) {
    case 'any':
      return true;
    case 'exact':
      return pattern.origin === url.origin;
    case 'subdomains':
      return (
        url.protocol === pattern.protocol &&
        url.port === pattern.port &&
        url.hostname.endsWith(`.${pattern.suffix}`)
      );
  }
}

/** Addresses that are not on the public internet: refused unless allowed explicitly. */
const NOT_PUBLIC: ReadonlyArray<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (CGNAT) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address'],
  ['100::', 64, 'ipv6', 'a discard address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['fc00::', 7, 'ipv6', 'a private (unique local) address (cloud metadata lives here)'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const notPublic = NOT_PUBLIC.map(([network, prefix, family, what]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, what };
});

/** An IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:7f00:1` → `127.0.0.1`), else the address. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

/** Why an address is not public ("a loopback address"), or undefined for a public address. */
export function nonPublicReason(address: string): string | undefined {
  const ip = unmapped(address.replace(/^\[|\]$/g, ''));
  const version = isIP(ip);
  if (version === 0) return 'not an IP address';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  for (const range of notPublic) {
    if (range.family === family && range.list.check(ip, family)) return range.what;
  }
  return undefined;
}

/** Parses BPTL_OUTBOUND_ALLOWED_NETWORKS: CIDRs (`10.1.0.0/16`, `fd12::/64`) or single addresses. */
export function parseNetworks(value: string | readonly string[]): BlockList {
  const list = new BlockList();
  const items = typeof value === 'string' ? value.split(/[\s,]+/) : value;
  for (const raw of items) {
    const item = raw.trim();
    if (item === '') continue;
    const [address = '', prefixText] = item.split('/');
    const version = isIP(address);
    if (version === 0) throw new TypeError(`'${item}' is not a network: write an address or address/prefix`);
    const family = version === 4 ? 'ipv4' : 'ipv6';
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new TypeError(`'${item}': the prefix must be 0 to ${max}`);
    }
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/** What the policy is made of (parsed from the environment by src/config/env.ts). */
export interface OutboundPolicySettings {
  /** BPTL_OUTBOUND_ALLOWED_ORIGINS. @default [`*`] */
  allowedOrigins?: readonly OriginPattern[];
  /** BPTL_OUTBOUND_ALLOWED_NETWORKS: addresses that may be called although they are not public. */
  allowedNetworks?: BlockList;
  /** BPTL_OUTBOUND_MAX_RESPONSE_BYTES. @default DEFAULT_MAX_RESPONSE_BYTES */
  maxResponseBytes?: number;
  /** How a name is resolved (tests may pass their own); dns.lookup by default. */
  lookup?: typeof dnsLookup;
}

/** The calls of one kind: which origins they may reach, and which setting says so. */
export interface OutboundScopeOptions {
  /** Origins allowed instead of the global ones (a topic's `outbound.allowedOrigins`). */
  allowedOrigins?: readonly OriginPattern[] | undefined;
  /** The setting that `allowedOrigins` comes from, named in refusals. */
  setting?: string | undefined;
  /** Origins allowed in any case, also on private addresses (a configured service's base URL). */
  trustedOrigins?: readonly string[] | undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The checks for the calls of one scope (one topic's http-request, one service's client, …). */
export class OutboundScope {
  readonly #policy: OutboundPolicy;
  readonly #patterns: readonly OriginPattern[];
  readonly #trusted: ReadonlySet<string>;
  readonly #explicitHosts: ReadonlySet<string>;
  readonly setting: string;

  constructor(policy: OutboundPolicy, options: OutboundScopeOptions = {}) {
    this.#policy = policy;
    this.#patterns = options.allowedOrigins ?? policy.allowedOrigins;
    this.setting =
      options.allowedOrigins !== undefined && options.setting ? options.setting : ALLOWED_ORIGINS_VARIABLE;
    this.#trusted = new Set(options.trustedOrigins ?? []);
    const hosts = new Set<string>();
    for (const origin of this.#trusted) hosts.add(new URL(origin).hostname);
    for (const pattern of this.#patterns) if (pattern.kind === 'exact') hosts.add(pattern.hostname);
    this.#explicitHosts = hosts;
  }

  get maxResponseBytes(): number {
    return this.#policy.maxResponseBytes;
  }

  /** Checks a URL's scheme (http or https) and that it holds no user or password; returns it parsed. */
  checkScheme(url: string | URL): URL {
    let parsed: URL;
    try {
      parsed = typeof url === 'string' ? new URL(url) : url;
    } catch {
      throw new OutboundRefusedError(`'${String(url).slice(0, 100)}' is not a URL`, '');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new OutboundRefusedError(
        `${parsed.protocol} URLs are refused: outbound calls use http or https only`,
        parsed.protocol,
      );
    }
    if (parsed.username || parsed.password) {
      throw new OutboundRefusedError(
        `${parsed.origin}: a URL with a user or password is refused (credentials belong in a service's auth)`,
        parsed.origin,
      );
    }
    return parsed;
  }

  /**
   * Checks a URL before it is called (and each redirect's): scheme, credentials, origin, and — for an IP
   * address in the URL — the address. Throws OutboundRefusedError; returns the parsed URL.
   */
  checkUrl(url: string | URL): URL {
    const parsed = this.checkScheme(url);
    const trusted = this.#trusted.has(parsed.origin);
    if (!trusted && !this.#patterns.some((pattern) => matches(pattern, parsed))) {
      throw new OutboundRefusedError(
        `${parsed.origin} is not an allowed origin: add it to ${this.setting}`,
        parsed.origin,
        this.setting,
      );
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) this.#checkAddress(parsed.hostname, host, parsed.origin);
    return parsed;
  }

  /** Refuses a non-public address unless its host is listed explicitly or it is in an allowed network. */
  #checkAddress(hostname: string, address: string, origin: string): void {
    if (this.#explicitHosts.has(hostname)) return;
    const reason = nonPublicReason(address);
    if (reason === undefined || this.#policy.allowsNetwork(unmapped(address))) return;
    const named =
      hostname.replace(/^\[|\]$/g, '') === address ? address : `${hostname} resolves to ${address},`;
    throw new OutboundRefusedError(
      `${origin}: ${named} ${reason}: list the origin itself in ${this.setting} or the address in ${ALLOWED_NETWORKS_VARIABLE}`,
      origin,
      this.setting,
    );
  }

  /**
   * A `lookup` for http.request: resolves the name and refuses (with OutboundRefusedError) when no address it
   * resolves to may be called. Run when the connection is made, so a name cannot change between check and call.
   */
  readonly lookup = (
    hostname: string,
    options: { family?: number | string; all?: boolean } | number | undefined,
    callback: LookupCallback,
  ): void => {
    const opts: { family?: number | string | undefined; all?: boolean } =
      typeof options === 'object' && options !== null ? options : { family: options };
    this.#policy.resolve(hostname, { ...opts, all: true } as never, (error, found) => {
      if (error) return callback(error, '');
      const addresses = found as unknown as LookupAddress[];
      const allowed: LookupAddress[] = [];
      let refusal: OutboundRefusedError | undefined;
      for (const entry of addresses) {
        try {
          this.#checkAddress(hostname, entry.address, hostname);
          allowed.push(entry);
        } catch (refused) {
          refusal ??= refused as OutboundRefusedError;
        }
      }
      const [first] = allowed;
      if (!first) {
        return callback(
          (refusal ?? new OutboundRefusedError(`${hostname} resolves to no address`, hostname)) as never,
          '',
        );
      }
      if (opts.all) return callback(null, allowed);
      return callback(null, first.address, first.family);
    });
  };
}

/** The global policy: built once per process from the environment. */
export class OutboundPolicy {
  readonly allowedOrigins: readonly OriginPattern[];
  readonly maxResponseBytes: number;
  readonly #networks: BlockList | undefined;
  readonly #lookup: typeof dnsLookup;

  constructor(settings: OutboundPolicySettings = {}) {
    this.allowedOrigins = settings.allowedOrigins ?? [{ kind: 'any' }];
    this.maxResponseBytes = settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#networks = settings.allowedNetworks;
    this.#lookup = settings.lookup ?? dnsLookup;
  }

  /** True when the address lies in BPTL_OUTBOUND_ALLOWED_NETWORKS. */
  allowsNetwork(address: string): boolean {
    if (!this.#networks) return false;
    const version = isIP(address);
    return version !== 0 && this.#networks.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  /** Resolves a name the way the policy's scopes do. */
  resolve(hostname: string, options: { all: true }, callback: LookupCallback): void {
    this.#lookup(hostname, options, callback as never);
  }

  /** The checks for one kind of call. */
  scope(options: OutboundScopeOptions = {}): OutboundScope {
    return new OutboundScope(this, options);
  }
}
