/**
 * Who may open one more HTTP connection: at most `perAddress` open from one client address
 * (addresses of trusted proxies are exempt: everybody comes through them), and at most `total`
 * open altogether, counting the connections that were upgraded to WebSockets, so the process
 * never runs out of file descriptors.
 *
 * @module
 */
import { addressInRanges } from "./client_address.ts";

/** Why a connection was refused. */
export type Refusal = "total" | "address";

/** The limits of {@link ConnectionCaps}. */
export interface ConnectionCapsOptions {
  /** Open connections, HTTP and upgraded, before every new one is refused. */
  total: number;
  /** Open HTTP connections from one address before its new ones are refused. */
  perAddress: number;
  /** Addresses or CIDR ranges exempt from `perAddress` (the trusted proxies). */
  exempt: readonly string[];
  /** Connections that left HTTP for a WebSocket and are still open (the gateway knows). */
  upgradedOpen?: () => number;
}

/** Counts open HTTP connections per address and decides on new ones. */
export class ConnectionCaps {
  readonly #options: ConnectionCapsOptions;
  readonly #byAddress = new Map<string, number>();
  #open = 0;

  constructor(options: ConnectionCapsOptions) {
    if (!(options.total >= 1) || !(options.perAddress >= 1)) {
      throw new RangeError("Cannot cap connections: total and perAddress must be at least 1");
    }
    this.#options = options;
  }

  /** Open HTTP connections (not counting upgraded ones). */
  get open(): number {
    return this.#open;
  }

  /** Takes a slot for `address`, or says why not; a taken slot must be {@link release}d. */
  admit(address: string): Refusal | null {
    const { total, perAddress, exempt, upgradedOpen } = this.#options;
    if (this.#open + (upgradedOpen?.() ?? 0) >= total) return "total";
    const held = this.#byAddress.get(address) ?? 0;
    if (held >= perAddress && !(exempt.length > 0 && addressInRanges(address, exempt))) {
      return "address";
    }
    this.#byAddress.set(address, held + 1);
    this.#open++;
    return null;
  }

  /** Gives back the slot of a connection from `address` that closed or was upgraded. */
  release(address: string): void {
    const held = this.#byAddress.get(address) ?? 0;
    if (held === 0) return;
    if (held === 1) this.#byAddress.delete(address);
    else this.#byAddress.set(address, held - 1);
    this.#open--;
  }
}
