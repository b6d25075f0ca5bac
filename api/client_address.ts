/**
 * Who is on the other end: the peer address of a connection, or, when the peer is a trusted
 * reverse proxy, the client address that proxy put in `X-Forwarded-For`. Used by the listener's
 * per-address connection cap and by the login rate limit.
 *
 * @module
 */

/** Parses `a.b.c.d` or an IPv6 address (with `::`, an embedded IPv4 tail, or `[…]`). */
function addressBits(text: string): { v6: boolean; value: bigint } | null {
  let address = text.trim();
  if (address.startsWith("[") && address.endsWith("]")) address = address.slice(1, -1);
  const zone = address.indexOf("%");
  if (zone >= 0) address = address.slice(0, zone);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!address.includes(":") || !/^[0-9A-Fa-f:.]+$/.test(address)) return null;
  let groups: string[];
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (tail) {
    const inner = addressBits(tail[1]);
    if (!inner) return null;
    const hi = Number(inner.value >> 16n).toString(16),
      lo = Number(inner.value & 0xffffn)
        .toString(16);
    address = `${address.slice(0, -tail[1].length)}${hi}:${lo}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups = [...head, ...Array(missing).fill("0"), ...rest];
  } else groups = head;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  return { v6: true, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n) };
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as the IPv4 address it carries. */
function normalised(bits: { v6: boolean; value: bigint }): { v6: boolean; value: bigint } {
  if (bits.v6 && bits.value >> 32n === 0xffffn) {
    return { v6: false, value: bits.value & 0xffffffffn };
  }
  return bits;
}

/** True when `address` is one of `ranges` (addresses or CIDR ranges, as in the config). */
export function addressInRanges(address: string, ranges: readonly string[]): boolean {
  const parsed = addressBits(address);
  if (!parsed) return false;
  const bits = normalised(parsed);
  for (const range of ranges) {
    const [base, prefixText] = range.split("/");
    const baseBits = addressBits(base);
    if (!baseBits) continue;
    const net = normalised(baseBits);
    if (net.v6 !== bits.v6) continue;
    const width = net.v6 ? 128 : 32;
    const prefix = prefixText === undefined ? width : Number(prefixText);
    const shift = BigInt(width - prefix);
    if ((net.value >> shift) === (bits.value >> shift)) return true;
  }
  return false;
}

/**
 * The unit a per-address limit counts: an IPv4 address (also IPv4-mapped IPv6) as it is, an
 * IPv6 address as its /64 network (`a:b:c:d::/64`): one host or household usually holds a
 * whole /64, and counting each of its 2^64 addresses apart would give it an unlimited budget.
 * Anything else (e.g. "local") is kept as it is, cut to 64 characters.
 */
export function addressGroup(address: string): string {
  const parsed = addressBits(address);
  if (!parsed) return address.trim().slice(0, 64);
  const bits = normalised(parsed);
  if (!bits.v6) {
    return [24n, 16n, 8n, 0n].map((shift) => String((bits.value >> shift) & 255n)).join(".");
  }
  const network = [112n, 96n, 80n, 64n].map((shift) =>
    ((bits.value >> shift) & 0xffffn).toString(16)
  );
  return `${network.join(":")}::/64`;
}

/**
 * The client's address: the peer itself, unless the peer is a trusted proxy; then the
 * right-most `X-Forwarded-For` entry that is not a trusted proxy (entries left of it were
 * written by the client and prove nothing).
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | null | undefined,
  trustedProxies: readonly string[],
): string {
  if (!forwardedFor || !addressInRanges(peer, trustedProxies)) return peer;
  const hops = forwardedFor.split(",").map((hop) => hop.trim()).filter((hop) => hop !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    if (addressBits(hops[i]) === null) return peer; // garbage: do not believe the header
    if (!addressInRanges(hops[i], trustedProxies)) return hops[i];
  }
  return hops[0] ?? peer;
}
