/**
 * Where an outgoing webhook may go (issue 12, against server-side request forgery). In production an
 * endpoint must use https and reach a public address: not a loopback, private, link-local or otherwise
 * special one (anything ipaddr.js does not class `unicast`), checked on its URL when it is added and on the
 * addresses its host resolves to before every attempt (a name may resolve elsewhere later). Hosts named in
 * WEBHOOK_ALLOW_HOSTS (an internal receiver the operator vouches for) are exempt, plain http included.
 * Outside production (development, the tests) http is allowed for localhost and no address is refused.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

export interface EgressPolicy {
  /** NODE_ENV is production (or unset: the strict default). */
  production: boolean;
  /** WEBHOOK_ALLOW_HOSTS: host names or IP addresses, lower case, without brackets. */
  allowHosts: readonly string[];
  /** Resolves a host name to its addresses (a test's own resolver; default the system's). */
  resolve?: (host: string) => Promise<string[]>;
}

const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
const isLocalName = (host: string) => host === "localhost" || host.endsWith(".localhost");
/** localhost, or a loopback address (127.0.0.1, ::1). */
const isLoopback = (host: string) =>
  isLocalName(host) || (ipaddr.isValid(host) && ipaddr.process(host).range() === "loopback");

/** Whether an address is one a webhook may reach in production: a public unicast one. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

/** Why a webhook URL is refused, or null: the rule checked when it is added and before each attempt. */
export function urlRefusal(raw: string, policy: EgressPolicy): string | null {
  if (!URL.canParse(raw)) return "must be a URL";
  const url = new URL(raw);
  const host = hostOf(url);
  if (policy.allowHosts.includes(host)) return null;
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !policy.production && isLoopback(host)))
    return policy.production ? "must use https" : "must use https (http only for localhost)";
  if (!policy.production) return null;
  if (isLocalName(host) || (ipaddr.isValid(host) && !isPublicAddress(host)))
    return "must reach a public address, not a loopback, private or link-local one (see WEBHOOK_ALLOW_HOSTS)";
  return null;
}

const systemResolve = async (host: string) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Why an attempt to this URL is refused before it is made, or null: the URL's rule, then (in production,
 * a host not allowed by name) every address its host resolves to must be public. A name that does not
 * resolve is left to the attempt itself (a network error, retried).
 */
export async function attemptRefusal(raw: string, policy: EgressPolicy): Promise<string | null> {
  const refused = urlRefusal(raw, policy);
  if (refused) return `refused: ${refused}`;
  const host = hostOf(new URL(raw));
  if (!policy.production || policy.allowHosts.includes(host) || ipaddr.isValid(host)) return null;
  let addresses: string[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch {
    return null;
  }
  return addresses.every(isPublicAddress)
    ? null
    : "refused: the host resolves to a loopback, private or link-local address";
}

/** WEBHOOK_ALLOW_HOSTS as the policy keeps it. */
export const parseAllowHosts = (v: string): string[] =>
  v
    .split(",")
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, "$1"),
    )
    .filter(Boolean);
