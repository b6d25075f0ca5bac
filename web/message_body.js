// @ts-check
/**
 * The body of one message, by `msgType`. Text is text (line breaks kept by CSS, http(s) links
 * clickable, nothing else markup). Images and files are only drawn from this server's
 * `/files/` paths; their full rendering (lazy images that enlarge, file icon, size and
 * download) arrives with the files issue (7), in {@link renderImageMessage} and
 * {@link renderFileMessage}. Group events (issue 6) become {@link renderSystemLine}s. A
 * `msgType` this page does not know is shown as text, so nothing a newer server sends is lost.
 *
 * @module
 */
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { appendLinkified } from "./linkify.js";

/** @typedef {import("./chat_history.js").Say} Say */

/** The element holding a message's content. @param {Say} frame */
export function renderMessageBody(frame) {
  switch (frame.msgType) {
    case "image":
      return renderImageMessage(frame);
    case "file":
      return renderFileMessage(frame);
    default:
      return renderTextMessage(frame.message);
  }
}

/** Plain text with clickable http(s) links. @param {string} text */
export function renderTextMessage(text) {
  const node = el("div", { class: "text", dataset: { testid: "message-text" } });
  appendLinkified(node, String(text ?? ""));
  return node;
}

/**
 * An image message. Issue 7 makes it lazy (`loading="lazy"` with the stored width/height) and
 * click-to-enlarge; until uploads exist the server never sends one.
 * @param {Say} frame
 */
export function renderImageMessage(frame) {
  const url = fileUrl(frame.file);
  if (!url) return renderTextMessage(frame.message || t("message.image"));
  return el(
    "div",
    { class: "text" },
    el("img", {
      src: url,
      alt: String(frame.file.name ?? t("message.image")),
      class: "picture",
      loading: "lazy",
    }),
    frame.message ? renderTextMessage(frame.message) : null,
  );
}

/**
 * A file message. Issue 7 adds the type icon and a proper download control.
 * @param {Say} frame
 */
export function renderFileMessage(frame) {
  const url = fileUrl(frame.file);
  if (!url) return renderTextMessage(frame.message || t("message.file"));
  const file = frame.file;
  return el(
    "div",
    { class: "text" },
    el("a", { href: url, download: String(file.name ?? ""), text: fileLabel(file) }),
    frame.message ? renderTextMessage(frame.message) : null,
  );
}

/**
 * A centred line about the chat itself (a member joined, the title changed: issue 6).
 * @param {string} text
 * @param {number} time
 */
export function renderSystemLine(text, time) {
  return el("li", {
    class: "system-line",
    text,
    dataset: { testid: "system-line", time: String(time) },
  });
}

/** The short text of a message for previews and notifications. @param {Say} frame */
export function messagePreview(frame) {
  if (frame.msgType === "image") return t("message.image");
  if (frame.msgType === "file") return t("message.file");
  return String(frame.message ?? "").replace(/\s+/g, " ").trim();
}

/** The file's URL when it is one of this server's `/files/` paths, else null. @param {any} file */
function fileUrl(file) {
  const url = file?.url;
  return typeof url === "string" && url.startsWith("/files/") ? url : null;
}

/** @param {{name?: string, size?: number}} file */
function fileLabel(file) {
  const size = Number(file.size) || 0;
  const human = size >= 1 << 20
    ? `${(size / (1 << 20)).toFixed(1)} MB`
    : `${Math.max(1, Math.round(size / 1024))} KB`;
  return `📎 ${file.name ?? "file"} (${human})`;
}
