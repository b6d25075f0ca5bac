// @ts-check
/**
 * Pictures and attachments on their way up, over the resumable chunked upload API
 * (docs/protocol.md, "Uploads"): the file's MD5 first (md5.js), then `POST /api/uploads`
 * (which answers at once for a file the server holds already, or says which chunks it has),
 * the missing chunks one after another with a progress bar (XMLHttpRequest: `fetch` reports no
 * upload progress), then `complete`. A dropped connection, a restarted server or a 503 waits
 * and starts again from `POST /api/uploads`, whose `received` list makes it resume where it
 * stopped; pause does the same on the reader's word. Only the finished file becomes a message.
 *
 * @module
 */
import { api, ApiError } from "./api.js";
import { el } from "./dom.js";
import { errorText, t } from "./i18n.js";
import { md5OfBlob } from "./md5.js";
import { formatSize } from "./message_body.js";

/** Waits between attempts after a failure that may pass (network, 503, a lost upload). */
const RETRY_MS = [1000, 2000, 4000, 8000, 15000];
/** Pictures taken from one pick, drop or paste (the original's limit). */
export const MAX_PICTURES = 8;
/** Pictures up to this size get a preview read into a `data:` URL (the CSP allows no `blob:`). */
const PREVIEW_BYTES = 8 << 20;

/**
 * `state`: "hashing", "uploading", "retrying" (waiting to try again), "paused", "failed"
 * (`reason` says why; retry starts again), "done" or "cancelled".
 */
export class Upload {
  state = "hashing";
  reason = "";
  /** Bytes hashed, then bytes the server holds (with the chunk on its way). */
  progress = 0;
  md5 = "";
  /** @type {string} a `data:` URL of a picture's preview, or "" */
  preview = "";
  #attempt = 0;
  /** @type {XMLHttpRequest | null} */
  #xhr = null;
  /** Bumped by pause/cancel/retry: a run that sees another value stops. */
  #run = 0;
  /** Bytes the server holds for sure (whole chunks answered 204). */
  #held = 0;

  /**
   * @param {File} file
   * @param {string} chatid
   * @param {boolean} asPicture sent as an image when the server recognises one
   * @param {(upload: Upload) => void} onChange
   * @param {(upload: Upload, file: any) => void} onDone with the server's `File`
   */
  constructor(file, chatid, asPicture, onChange, onDone) {
    this.id = `u${Math.random().toString(36).slice(2)}`;
    this.file = file;
    this.chatid = chatid;
    this.asPicture = asPicture;
    this.onChange = onChange;
    this.onDone = onDone;
    if (asPicture && file.size <= PREVIEW_BYTES) {
      const reader = new FileReader();
      reader.onload = () => {
        if (typeof reader.result === "string" && reader.result.startsWith("data:image/")) {
          this.preview = reader.result;
          this.onChange(this);
        }
      };
      reader.readAsDataURL(file);
    }
  }

  /** Whether pause/resume/cancel apply now. */
  get active() {
    return this.state === "hashing" || this.state === "uploading" || this.state === "retrying";
  }

  start() {
    const run = ++this.#run;
    this.#go(run).catch((error) => {
      if (run !== this.#run) return;
      const { code, message } = /** @type {ApiError} */ (error);
      this.#set("failed", errorText(code ?? "unknown", message));
    });
  }

  pause() {
    if (!this.active) return;
    this.#stop();
    if (this.md5) this.progress = this.#held; // the chunk on its way is sent again on resume
    this.#set("paused");
  }

  /** Resumes a paused upload, or tries a failed one again. */
  resume() {
    if (this.state !== "paused" && this.state !== "failed") return;
    this.#attempt = 0;
    this.start();
  }

  cancel() {
    this.#stop();
    this.#set("cancelled");
  }

  #stop() {
    this.#run++;
    this.#xhr?.abort();
    this.#xhr = null;
  }

  /** @param {string} state @param {string} [reason] */
  #set(state, reason = "") {
    this.state = state;
    this.reason = reason;
    this.onChange(this);
  }

  /** @param {number} run */
  async #go(run) {
    const live = () => run === this.#run;
    if (!this.md5) {
      this.#set("hashing");
      this.md5 = await md5OfBlob(this.file, (n) => {
        this.progress = n;
        this.onChange(this);
      }, () => !live());
    }
    for (;;) {
      if (!live()) return;
      this.#set("uploading");
      try {
        const file = await this.#send(live);
        if (!live()) return;
        this.#set("done");
        this.onDone(this, file);
        return;
      } catch (error) {
        if (!live()) return;
        const failure = /** @type {ApiError} */ (error);
        if (!(failure instanceof ApiError) || !mayPass(failure)) throw failure;
        if (this.#attempt >= RETRY_MS.length) throw failure;
        this.#set("retrying", errorText(failure.code, failure.message));
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[this.#attempt++]));
      }
    }
  }

  /** One attempt: start (or resume) the upload, the missing chunks, complete. @param {() => boolean} live */
  async #send(live) {
    const file = this.file;
    const started = await api("POST", "/api/uploads", {
      name: file.name || (this.asPicture ? "pasted.png" : "file"),
      size: file.size,
      mime: file.type || "application/octet-stream",
      md5: this.md5,
      chatid: this.chatid,
    });
    if (started.file) return started.file; // the server has these bytes already
    const { uploadId, chunkSize } = started;
    const have = new Set(/** @type {number[]} */ (started.received));
    const count = Math.max(1, Math.ceil(file.size / chunkSize));
    const sizeOf = (/** @type {number} */ i) => Math.min(chunkSize, file.size - i * chunkSize);
    let held = [...have].reduce((sum, i) => sum + sizeOf(i), 0);
    this.progress = this.#held = held;
    this.onChange(this);
    for (let i = 0; i < count; i++) {
      if (have.has(i)) continue;
      if (!live()) return null;
      await this.#putChunk(uploadId, i, file.slice(i * chunkSize, (i + 1) * chunkSize), held);
      held += sizeOf(i);
      this.#held = held;
      this.#attempt = 0; // progress was made: the waits start short again
    }
    const done = await api("POST", `/api/uploads/${encodeURIComponent(uploadId)}/complete`);
    return done.file;
  }

  /**
   * @param {string} uploadId
   * @param {number} index
   * @param {Blob} bytes
   * @param {number} before bytes held before this chunk (for the bar)
   * @returns {Promise<void>}
   */
  #putChunk(uploadId, index, bytes, before) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.#xhr = xhr;
      xhr.open("PUT", `/api/uploads/${encodeURIComponent(uploadId)}/chunks/${index}`);
      xhr.upload.onprogress = (event) => {
        this.progress = before + event.loaded;
        this.onChange(this);
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve();
        let error = {};
        try {
          error = JSON.parse(xhr.responseText)?.error ?? {};
        } catch {
          // not JSON: the status says enough
        }
        const { code, message } = /** @type {{code?: string, message?: string}} */ (error);
        reject(new ApiError(xhr.status, code ?? `http_${xhr.status}`, message ?? ""));
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = () =>
        reject(new ApiError(0, "network", "cannot reach the server; check your connection"));
      xhr.send(bytes);
    });
  }
}

/** A failure that waiting can cure: no connection, a server busy or restarting, a lost upload. @param {ApiError} error */
function mayPass(error) {
  return error.status === 0 || error.status >= 500 || error.status === 409 ||
    (error.status === 404 && error.code === "not_found");
}

/** The uploads of the open chat, drawn under its messages. */
export class UploadList {
  /** @type {Map<string, Upload>} */
  uploads = new Map();
  /** @type {string | null} */
  chatid = null;

  /** @param {HTMLElement} list */
  constructor(list) {
    this.list = list;
  }

  /** @param {Upload} upload */
  add(upload) {
    this.uploads.set(upload.id, upload);
    this.render(upload);
  }

  /** Shows the uploads of another chat. @param {string | null} chatid */
  show(chatid) {
    this.chatid = chatid;
    this.list.replaceChildren();
    for (const upload of this.uploads.values()) this.render(upload);
  }

  /** Draws (or removes) one upload's row. @param {Upload} upload */
  render(upload) {
    const old = this.list.querySelector(`[data-upload="${upload.id}"]`);
    if (upload.state === "done" || upload.state === "cancelled") {
      this.uploads.delete(upload.id);
      old?.remove();
      return;
    }
    if (upload.chatid !== this.chatid) return;
    const node = uploadRow(upload);
    if (old) old.replaceWith(node);
    else this.list.append(node);
  }

  /** Redraws every row (the language changed). */
  redraw() {
    this.show(this.chatid);
  }
}

/** @param {Upload} upload */
function uploadRow(upload) {
  const total = upload.file.size;
  const hashing = upload.state === "hashing";
  const label = t(`upload.${upload.state}`, {
    percent: total ? Math.floor(upload.progress / total * 100) : 100,
    reason: upload.reason,
  });
  /** @type {[string, string, () => void][]} */
  const actions = [];
  if (upload.active) {
    actions.push(["upload.pause", "upload-pause", () => upload.pause()]);
  }
  if (upload.state === "paused") {
    actions.push(["upload.resume", "upload-resume", () => upload.resume()]);
  }
  if (upload.state === "failed") {
    actions.push(["upload.retry", "upload-retry", () => upload.resume()]);
  }
  actions.push(["upload.cancel", "upload-cancel", () => upload.cancel()]);
  return el(
    "li",
    {
      class: `msg mine upload ${upload.state}`,
      dataset: { testid: "upload", upload: upload.id, state: upload.state },
    },
    el(
      "div",
      { class: "bubble" },
      upload.preview ? el("img", { class: "upload-preview", src: upload.preview, alt: "" }) : null,
      el("div", { class: "file-name", text: upload.file.name || t("message.image") }),
      el("div", { class: "file-size", text: formatSize(total) }),
      el("progress", {
        max: total || 1,
        value: hashing ? 0 : Math.min(upload.progress, total),
        dataset: { testid: "upload-progress" },
      }),
      el(
        "div",
        { class: "meta" },
        el("span", {
          class: "state",
          text: label,
          dataset: { testid: "upload-state" },
          attrs: { role: upload.state === "failed" ? "alert" : "status" },
        }),
        ...actions.map(([key, testid, action]) =>
          el("button", {
            type: "button",
            class: "link",
            text: t(key),
            dataset: { testid },
            on: { click: action },
          })
        ),
      ),
    ),
  );
}
