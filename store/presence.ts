/**
 * The presence port: which accounts have at least one connection, across every node.
 *
 * @module
 */

/** Who is online. */
export interface Presence {
  /** Marks an account online on this node (its first local connection). */
  online(accountid: string): Promise<void>;
  /** Marks an account offline on this node (its last local connection closed). */
  offline(accountid: string): Promise<void>;
  /** Every online account (on any live node), sorted. */
  list(): Promise<string[]>;
  /**
   * True when the account has a connection on some live node, this one included: answered from
   * memory (this node's own changes count at once), so a delivery can tell whom to keep an
   * offline copy for without a round trip.
   */
  isOnline(accountid: string): boolean;
  /** Starts the node's liveness refresh. */
  start(): void;
  /** Stops the refresh and removes this node's entries. */
  close(): Promise<void>;
}
