/**
 * A conversation (or a date range of it) exported as one self-contained HTML page (no scripts,
 * no outside resources, every text escaped, images and files as links) or as CSV, streamed page
 * by page from the archive. Used by `GET /api/chats/:chatid/export` and `chat export`.
 *
 * @module
 */
import { fileUrl } from "../files/file_info.ts";
import type { FileTable } from "../files/file_table.ts";
import { withQuoteState } from "../gateway/reply_quote.ts";
import type { MessageArchive, MidRange } from "../queue/archive.ts";
import { type ChatMessage, MessageType, messageTypeNames } from "../queue/message.ts";

/** The two formats. */
export const EXPORT_FORMATS = ["html", "csv"] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What to export. */
export interface ExportRequest {
  chatid: string;
  format: ExportFormat;
  /** Unix seconds, inclusive. */
  since?: number;
  until?: number;
  /** Group members: the mids they may read (see `chat_access.ts`); absent: all. */
  visible?: MidRange[];
  /** The chat's name for the page's heading (the chat id when absent). */
  title?: string;
  /** Prefix of file links (`https://chat.example.com`); "" keeps them relative. */
  baseUrl?: string;
}

/** The stores an export reads. */
export interface ExportStores {
  archive: MessageArchive;
  files: Pick<FileTable, "findFiles">;
}

/** The file name offered for an export. */
export function exportFileName(chatid: string, format: ExportFormat): string {
  return `chat-${chatid}.${format}`;
}

/** The export as a stream of UTF-8 text, read from the archive as it is sent. */
export function exportChat(
  stores: ExportStores,
  request: ExportRequest,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = exportLines(stores, request);
  return new ReadableStream({
    async pull(controller) {
      const next = await pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}

async function* exportLines(
  stores: ExportStores,
  request: ExportRequest,
): AsyncGenerator<string, void, undefined> {
  const html = request.format === "html";
  yield html ? htmlHead(request) : CSV_HEADER;
  let after = 0;
  while (true) {
    const page = await stores.archive.history({
      chatid: request.chatid,
      limit: 100,
      after,
      since: request.since,
      until: request.until,
      ...(request.visible ? { visible: request.visible } : {}),
    });
    if (page.messages.length === 0) break;
    const messages = await withQuoteState(stores.archive, page.messages);
    const ids = messages.filter((m) => m.fileId !== "").map((m) => m.fileId);
    const files = ids.length > 0 ? await stores.files.findFiles(ids) : new Map();
    const links = new Map<string, { url: string; name: string }>();
    for (const [id, file] of files) {
      links.set(id, { url: `${request.baseUrl ?? ""}${fileUrl(file)}`, name: file.name });
    }
    yield messages.map((m) => html ? htmlLine(m, links) : csvLine(m, links)).join("");
    if (!page.hasMore) break;
    after = page.messages.at(-1)!.seq;
  }
  if (html) yield "</ol>\n</body>\n</html>\n";
}

type Links = Map<string, { url: string; name: string }>;

/** Text as HTML text or attribute value: nothing in it is markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const iso = (time: number) => new Date(time * 1000).toISOString().replace(".000Z", "Z");

function htmlHead(request: ExportRequest): string {
  const title = escapeHtml(request.title || request.chatid);
  const range = [request.since, request.until].some((t) => t !== undefined)
    ? ` from ${request.since === undefined ? "the start" : iso(request.since)} to ${
      request.until === undefined ? "the end" : iso(request.until)
    }`
    : "";
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 50em; }
ol { list-style: none; padding: 0; }
li { margin: 0.4em 0; white-space: pre-wrap; overflow-wrap: anywhere; }
time, .note { color: #666; font-size: 0.85em; }
blockquote { margin: 0.2em 0 0.2em 1em; padding-left: 0.6em; border-left: 3px solid #ccc; color: #555; }
.system, .recalled { color: #666; font-style: italic; }
</style>
</head>
<body>
<h1>${title}</h1>
<p class="note">Exported ${escapeHtml(iso(Math.floor(Date.now() / 1000)))}${escapeHtml(range)}.
Times are UTC.</p>
<ol>
`;
}

function htmlLine(m: ChatMessage, links: Links): string {
  const who = escapeHtml(m.fromuser);
  const head = `<li id="m-${escapeHtml(m.mid)}"><time datetime="${iso(m.time)}">${
    iso(m.time)
  }</time> `;
  if (m.recalled) {
    return `${head}<span class="recalled">${who}'s message was recalled by ${
      escapeHtml(m.recalled.by)
    }</span></li>\n`;
  }
  if (m.type === MessageType.system) {
    return `${head}<span class="system">${escapeHtml(m.message)}</span></li>\n`;
  }
  const quote = m.replyTo
    ? `<blockquote>${escapeHtml(m.replyTo.fromuser)}: ${
      m.replyTo.recalled ? "<i>recalled message</i>" : escapeHtml(m.replyTo.excerpt)
    }</blockquote>`
    : "";
  const link = links.get(m.fileId);
  const file = link
    ? ` <a href="${escapeHtml(link.url)}">${m.type === MessageType.image ? "image" : "file"}: ${
      escapeHtml(link.name)
    }</a>`
    : "";
  const edited = m.edited ? ` <span class="note">(edited ${iso(m.edited)})</span>` : "";
  return `${head}<b>${who}</b>${quote}: ${escapeHtml(m.message)}${file}${edited}</li>\n`;
}

const CSV_HEADER = "time,seq,mid,fromuser,type,message,edited,recalledBy,replyTo,file\r\n";

/**
 * One CSV cell: always quoted (quotes doubled); a text that a spreadsheet would run as a
 * formula (starting with = + - @, tab or carriage return) gets a leading apostrophe.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

function csvLine(m: ChatMessage, links: Links): string {
  return [
    iso(m.time),
    m.seq,
    m.mid,
    m.fromuser,
    m.recalled ? "recalled" : messageTypeNames[m.type],
    m.message,
    m.edited ? iso(m.edited) : "",
    m.recalled?.by ?? "",
    m.replyTo?.mid ?? "",
    links.get(m.fileId)?.url ?? "",
  ].map(csvCell).join(",") + "\r\n";
}
