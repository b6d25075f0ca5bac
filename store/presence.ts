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
  /** Every online account, sorted. */
  list(): Promise<string[]>;
  /** Starts the node's liveness refresh. */
  start(): void;
  /** Stops the refresh and removes this node's entries. */
  close(): Promise<void>;
}
