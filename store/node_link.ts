/**
 * The node link port: what one `chat` process knows of the other processes serving the same
 * installation (same Redis, same MySQL), and how it hands them deliveries. The embedded backend
 * is one process and has none.
 *
 * @module
 */

/** What other nodes tell this one. */
export interface NodeEvents {
  /** A delivery another node sent to this node's connections (see `gateway/relay.ts`). */
  delivery(payload: string): void;
  /**
   * An account came online on its first node (`true`) or went offline on its last one
   * (`false`) because of another node: a connection there, or the node itself going away.
   */
  presence(accountid: string, online: boolean): void;
  /**
   * This node may have missed deliveries (its link to the others was down): its connections
   * must catch up.
   */
  missed(): void;
}

/** This node's view of the others. */
export interface NodeLink {
  /** This process's node id (unique among the live nodes). */
  readonly nodeId: string;
  /** Starts hearing the other nodes; resolves once this node's channel is subscribed. */
  listen(events: NodeEvents): Promise<void>;
  /**
   * The other live nodes where some of `accountids` have a connection, each with those
   * accounts: answered from memory, no round trip.
   */
  route(accountids: Iterable<string>): Map<string, string[]>;
  /** Sends a delivery to another node's connections (in order per node; not awaited). */
  send(nodeId: string, payload: string): void;
  /** The other live nodes this node knows of (from memory). */
  others(): string[];
}
