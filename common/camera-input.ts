// What an operator may give as a camera's address and user, and the address ranges discovery
// probes: checked alike by the hub (hub/cameras/) and by the `loa` CLI before it sends them.
import { isIPv4 } from 'node:net';
import { badRequest } from './errors.js';

// A hostname (RFC 1123 labels) or an IPv4/IPv6 literal; nothing that could smuggle a path or user.
export const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/;

/** ":" cannot go through HTTP Digest; the onvif package writes the user into XML without escaping. */
export const USER_PATTERN = /^[^:<>&"]+$/;

/** Largest range probed by unicast: a /22. */
export const MAX_RANGE_ADDRESSES = 1024;

const bad = badRequest;

export const ipToInt = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The addresses of "a.b.c.d-a.b.c.e", "a.b.c.d-e" or "a.b.c.d/nn" (at most a /22); throws LOA_BAD_REQUEST. */
export function expandRange(range: string): string[] {
  const r = range.trim();
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(r);
  if (cidr) {
    const [, base, bitsText] = cidr;
    const bits = Number(bitsText);
    if (!isIPv4(base!)) throw bad(`"${range}": ${base} is not an IPv4 address.`);
    if (bits < 22 || bits > 32) throw bad(`"${range}": give a prefix from /22 (1024 addresses) to /32.`);
    const size = 2 ** (32 - bits);
    const start = Math.floor(ipToInt(base!) / size) * size;
    // The network and broadcast addresses answer nothing on a /30 or larger.
    const [first, last] = size >= 4 ? [start + 1, start + size - 2] : [start, start + size - 1];
    return Array.from({ length: last - first + 1 }, (_, i) => toIp(first + i));
  }
  const span = /^(\d+\.\d+\.\d+\.\d+)\s*-\s*(\d+(?:\.\d+\.\d+\.\d+)?)$/.exec(r);
  if (span) {
    const [, from, toText] = span;
    const to = toText!.includes('.') ? toText! : from!.replace(/\d+$/, toText!);
    if (!isIPv4(from!)) throw bad(`"${range}": ${from} is not an IPv4 address.`);
    if (!isIPv4(to)) throw bad(`"${range}": ${to} is not an IPv4 address.`);
    const a = ipToInt(from!);
    const b = ipToInt(to);
    if (b < a) throw bad(`"${range}": the range ends before it starts.`);
    if (b - a + 1 > MAX_RANGE_ADDRESSES) throw bad(`"${range}" has ${b - a + 1} addresses; probe at most ${MAX_RANGE_ADDRESSES} at a time.`);
    return Array.from({ length: b - a + 1 }, (_, i) => toIp(a + i));
  }
  throw bad(`"${range}" is not an address range: write 192.168.1.10-192.168.1.60 or 192.168.1.0/24.`);
}
