/**
 * A backend: one implementation of every storage port, opened together and closed together.
 *
 * @module
 */
import type { MessageArchive } from "../queue/archive.ts";
import type { BroadcastArchive } from "../queue/broadcast_archive.ts";
import type { MessageProducer } from "../queue/queue.ts";
import type { RecentIndex } from "../queue/recent_index.ts";
import type { MessageSearch } from "../queue/search.ts";
import type { WorkerStatusStore } from "../queue/worker_status.ts";
import type { FileStorage } from "../files/file_storage.ts";
import type { FileTable } from "../files/file_table.ts";
import type { Durability } from "./durability.ts";
import type { GroupStore } from "./groups.ts";
import type { Inbox } from "./inbox.ts";
import type { NodeLink } from "./node_link.ts";
import type { Presence } from "./presence.ts";
import type { ReadReceipts } from "./receipts.ts";
import type { LoginLimiter, SessionEndings, SessionStore } from "./sessions.ts";
import type { UserStore } from "./users.ts";

/** Every store the server talks to. */
export interface Backend {
  /** "production" (Redis + MySQL) or "embedded" (SQLite). */
  kind: "production" | "embedded";
  users: UserStore;
  /** Groups, members and mutes (the source of truth behind a cache). */
  groups: GroupStore;
  sessions: SessionStore;
  /** Sessions ended by other processes, heard at once; null: the gateway's recheck notices. */
  sessionEndings: SessionEndings | null;
  loginLimiter: LoginLimiter;
  inbox: Inbox;
  presence: Presence;
  /** The other nodes of the installation (production servers); null: this is the only one. */
  link: NodeLink | null;
  /** Highest read seqs per chat and account, and who sends no read receipts. */
  receipts: ReadReceipts;
  producer: MessageProducer;
  archive: MessageArchive;
  /** The search index of the archive's text messages (the archive fills it). */
  search: MessageSearch;
  /** Read side of the broadcast archive (the worker writes it). */
  broadcasts: BroadcastArchive;
  recent: RecentIndex;
  workerStatus: WorkerStatusStore;
  /** File records, uploads under way, and the chats files were sent into. */
  files: FileTable;
  /** The bytes of files and uploads (a local folder). */
  storage: FileStorage;
  /** Each store's state: "ok" or what is wrong. */
  health(): Promise<Record<string, string>>;
  /** What an acknowledgement survives with the queue store's current settings (cached). */
  durability(): Promise<Durability>;
  /** Closes every connection; idempotent. */
  close(): Promise<void>;
}
