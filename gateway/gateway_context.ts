/**
 * What the gateway's handlers need: the stores they talk to and the limits they enforce.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import type { ChatMetrics } from "../ops/chat_metrics.ts";
import type { MessageProducer } from "../queue/queue.ts";
import type { MessageArchive } from "../queue/archive.ts";
import type { RecentIndex } from "../queue/recent_index.ts";
import type { GroupStore } from "../store/groups.ts";
import type { Inbox } from "../store/inbox.ts";
import type { Presence } from "../store/presence.ts";
import type { ReadReceipts } from "../store/receipts.ts";
import type { SessionEndings, SessionStore } from "../store/sessions.ts";
import type { NodeLink } from "../store/node_link.ts";
import type { UserStore } from "../store/users.ts";
import type { FileTable } from "../files/file_table.ts";
import type { Hub } from "./hub.ts";
import type { TypingGate } from "./typing.ts";
import type { Connection } from "./connection.ts";

/** Shared by every connection of a node. */
export interface GatewayContext {
  config: ResolvedConfig;
  users: UserStore;
  /** Groups, their members and mutes (cached; MySQL or SQLite behind). */
  groups: GroupStore;
  inbox: Inbox;
  presence: Presence;
  /** Highest read seqs and who sends no read receipts. */
  receipts: ReadReceipts;
  producer: MessageProducer;
  recent: RecentIndex;
  /** The archive: recalls, edits and replies name archived messages. */
  archive: MessageArchive;
  /** Files: a `say` of an image or file names one its sender uploaded. */
  files: FileTable;
  /** Asked periodically whether the sessions of open sockets still live. */
  sessions: Pick<SessionStore, "live">;
  /** Sessions ended elsewhere, heard at once (production); null: the recheck notices. */
  sessionEndings: SessionEndings | null;
  hub: Hub<Connection>;
  /** The other nodes (production servers); absent or null: this node is the only one. */
  link?: NodeLink | null;
  /** This node's typing indicators lately sent (coalescing). */
  typing: TypingGate;
  /** Counts frames, messages, errors and connections for `/metrics` (absent in some tests). */
  metrics?: ChatMetrics;
  /** One log line; errors are logged once, never thrown out of a handler. */
  log: Log;
}
