// @ts-check
/**
 * The body of one message, by `msgType`. Text is text (line breaks kept by CSS, http(s) links
 * clickable, the people a group message mentions highlighted, nothing else markup). Images and
 * files are only drawn from this server's `/files/` paths: a picture as its thumbnail (lazy,
 * sized from the stored width and height) that opens the full image, a file with its icon,
 * name, size and a download link; every name is text. The server's own lines in a group
 * (`msgType` `system`) are drawn by the view as centred lines. A `msgType` this page does not
 * know is shown as text, so nothing a newer server sends is lost.
 *
 * @module
 */
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { appendLinkified } from "./linkify.js";

/** @typedef {import("./chat_history.js").Say} Say */

/** The element holding a message's content. @param {Say} frame */
export function renderMessageBody(frame) {
  if (frame.recalled) {
    return el("div", {
      class: "text recalled",
      text: t("message.recalled"),
      dataset: { testid: "message-text" },
    });
  }
  switch (frame.msgType) {
    case "image":
      return renderImageMessage(frame);
    case "file":
      return renderFileMessage(frame);
    default:
      return renderTextMessage(frame.message, frame.mentions);
  }
}

/** `@name`: letters, digits, `_` and inner full stops (a full stop after the name ends it). */
const MENTION = /@([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g;

/**
 * Plain text with clickable http(s) links; `@name`s of `mentions` (the server's list of who the
 * message names, `@all` included) are highlighted.
 * @param {string} text
 * @param {string[]} [mentions]
 */
export function renderTextMessage(text, mentions = []) {
  const node = el("div", { class: "text", dataset: { testid: "message-text" } });
  const named = new Set(
    (Array.isArray(mentions) ? mentions : []).map((m) => String(m).toLowerCase()),
  );
  const whole = String(text ?? "");
  if (named.size === 0) {
    appendLinkified(node, whole);
    return node;
  }
  let last = 0;
  for (const match of whole.matchAll(MENTION)) {
    const start = match.index ?? 0;
    // `bob@example.com` is no mention: the @ must start a word.
    if (start > 0 && /[A-Za-z0-9_.]/.test(whole[start - 1])) continue;
    const name = match[1].toLowerCase();
    if (!named.has(name) && !(name === "all" && named.has("@all"))) continue;
    appendLinkified(node, whole.slice(last, start));
    node.append(el("span", { class: "mention", text: match[0], dataset: { testid: "mention" } }));
    last = start + match[0].length;
  }
  appendLinkified(node, whole.slice(last));
  return node;
}

/**
 * A picture: its thumbnail (or the image itself when it has none), lazy, with the stored size
 * so the conversation does not jump; a click opens the full image (`data-full`, see chat.js).
 * @param {Say} frame
 */
export function renderImageMessage(frame) {
  const url = fileUrl(frame.file);
  if (!url) return renderTextMessage(frame.message || t("message.image"));
  const file = frame.file;
  const thumb = typeof file.thumbnailUrl === "string" && file.thumbnailUrl.startsWith("/files/")
    ? file.thumbnailUrl
    : url;
  const { width, height } = fitted(Number(file.width) || 0, Number(file.height) || 0);
  return el(
    "div",
    { class: "text" },
    el(
      "button",
      {
        type: "button",
        class: "picture-button",
        title: t("image.open"),
        dataset: { testid: "message-image", full: url, name: String(file.name ?? "") },
        attrs: { "aria-label": t("image.openNamed", { name: String(file.name ?? "") }) },
      },
      el("img", {
        src: thumb,
        alt: String(file.name ?? t("message.image")),
        class: "picture",
        loading: "lazy",
        width: width || undefined,
        height: height || undefined,
      }),
    ),
    frame.message ? renderTextMessage(frame.message) : null,
  );
}

/** A thumbnail's box: at most 240 × 240, the picture's proportions kept. @param {number} w @param {number} h */
function fitted(w, h) {
  if (!w || !h) return { width: 0, height: 0 };
  const scale = Math.min(1, 240 / w, 240 / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/**
 * A file: an icon by its kind, the name (text), the size and a download link.
 * @param {Say} frame
 */
export function renderFileMessage(frame) {
  const url = fileUrl(frame.file);
  if (!url) return renderTextMessage(frame.message || t("message.file"));
  const file = frame.file;
  const name = String(file.name ?? "file");
  return el(
    "div",
    { class: "text" },
    el(
      "a",
      {
        class: "file-card",
        href: url,
        download: name,
        title: t("file.download"),
        dataset: { testid: "message-file" },
      },
      el("span", { class: "file-icon", text: fileIcon(name, String(file.mime ?? "")) }),
      el("span", { class: "file-name", text: name, dataset: { testid: "file-name" } }),
      el("span", { class: "file-size", text: formatSize(Number(file.size) || 0) }),
    ),
    frame.message ? renderTextMessage(frame.message) : null,
  );
}

/** An icon by the file's extension or type. @param {string} name @param {string} mime */
function fileIcon(name, mime) {
  const ext = name.split(".").pop()?.toLowerCase() ?? "";
  if (mime.startsWith("image/")) return "🖼️";
  if (["zip", "rar", "7z", "gz", "tar", "bz2", "xz"].includes(ext)) return "🗜️";
  if (["xls", "xlsx", "csv", "ods"].includes(ext)) return "📊";
  if (["ppt", "pptx", "odp", "key"].includes(ext)) return "📽️";
  if (["mp3", "wav", "ogg", "flac", "m4a"].includes(ext) || mime.startsWith("audio/")) return "🎵";
  if (["mp4", "mov", "avi", "mkv", "webm"].includes(ext) || mime.startsWith("video/")) return "🎬";
  return "📄";
}

/** A byte count for people: 512 B, 3.4 KB, 12.0 MB. @param {number} bytes */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1 << 30) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${(bytes / (1 << 30)).toFixed(1)} GB`;
}

/**
 * A reply's quote above its text: who, and the start of what they wrote (or "recalled
 * message"); text only. A click on it shows the quoted message (`data-quote-mid`, see chat.js).
 * @param {import("./chat_history.js").Quote} quote
 * @param {(accountid: string) => string} nameOf
 */
export function renderQuote(quote, nameOf) {
  const excerpt = quote.recalled
    ? t("quote.recalled")
    : quote.msgType === "image" && !quote.excerpt
    ? t("message.image")
    : quote.msgType === "file" && !quote.excerpt
    ? t("message.file")
    : String(quote.excerpt ?? "").replace(/\s+/g, " ").trim();
  return el(
    "blockquote",
    {
      class: `quote${quote.recalled ? " recalled" : ""}`,
      dataset: { testid: "message-quote", quoteMid: String(quote.mid ?? "") },
    },
    el("span", { class: "quote-who", text: nameOf(String(quote.fromuser ?? "")) }),
    el("span", { class: "quote-text", text: excerpt, dataset: { testid: "quote-text" } }),
  );
}

/** The short text of a message for previews and notifications. @param {Say} frame */
export function messagePreview(frame) {
  if (frame.recalled) return t("message.recalled");
  if (frame.msgType === "image") return t("message.image");
  if (frame.msgType === "file") {
    return `${t("message.file")} ${String(frame.file?.name ?? "")}`.trim();
  }
  return String(frame.message ?? "").replace(/\s+/g, " ").trim();
}

/** The file's URL when it is one of this server's `/files/` paths, else null. @param {any} file */
function fileUrl(file) {
  const url = file?.url;
  return typeof url === "string" && url.startsWith("/files/") ? url : null;
}
