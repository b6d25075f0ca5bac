// @ts-check
/**
 * Where files come into the composer and pictures come out of the conversation: the picture
 * and attachment buttons (their hidden file inputs), files dropped on the conversation, a
 * screenshot pasted into the text box, each made an {@link Upload} drawn in the
 * {@link UploadList}; and the dialog that shows a picture whole when its thumbnail is clicked.
 *
 * @module
 */
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { MAX_PICTURES, Upload, UploadList } from "./uploads.js";

/**
 * @typedef {object} AttachmentNodes
 * @property {HTMLElement} chat the conversation (a drop target)
 * @property {HTMLTextAreaElement} input the composer's text box (pasted screenshots)
 * @property {HTMLElement} pictureButton
 * @property {HTMLElement} attachButton
 * @property {HTMLInputElement} pictureInput
 * @property {HTMLInputElement} attachInput
 * @property {HTMLElement} note a line of the composer's for what the reader should know
 * @property {HTMLElement} uploadList
 * @property {HTMLElement[]} pictureAreas where clicking a thumbnail opens the picture
 * @property {HTMLDialogElement} imageDialog
 * @property {HTMLElement} imageHolder
 * @property {HTMLAnchorElement} imageDownload
 * @property {HTMLElement} imageClose
 */

export class Attachments {
  /** @type {() => string} the note's text, again after a language switch */
  #note = () => "";

  /**
   * @param {AttachmentNodes} nodes
   * @param {() => string | null} openChat the chat on screen
   * @param {(chatid: string, msgType: "image" | "file", file: any) => void} onUploaded an
   *   upload finished: send it as a message
   */
  constructor(nodes, openChat, onUploaded) {
    this.nodes = nodes;
    this.openChat = openChat;
    this.onUploaded = onUploaded;
    this.uploads = new UploadList(nodes.uploadList);
    nodes.pictureButton.addEventListener("click", () => nodes.pictureInput.click());
    nodes.attachButton.addEventListener("click", () => nodes.attachInput.click());
    for (
      const [input, pictures] of /** @type {const} */ ([[nodes.pictureInput, true], [
        nodes.attachInput,
        false,
      ]])
    ) {
      input.addEventListener("change", () => {
        this.upload([...(input.files ?? [])], pictures);
        input.value = "";
      });
    }
    // Dropped files: pictures when they all are, else attachments. Pasted screenshots: pictures.
    const chat = nodes.chat;
    chat.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files") || nodes.input.disabled) return;
      event.preventDefault();
      chat.classList.add("dropping");
    });
    chat.addEventListener("dragleave", (event) => {
      if (event.target === chat) chat.classList.remove("dropping");
    });
    chat.addEventListener("drop", (event) => {
      chat.classList.remove("dropping");
      const files = [...(event.dataTransfer?.files ?? [])];
      if (!files.length || nodes.input.disabled) return;
      event.preventDefault();
      this.upload(files, files.every((f) => f.type.startsWith("image/")));
    });
    nodes.input.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])].filter((f) =>
        f.type.startsWith("image/")
      );
      if (!files.length) return;
      event.preventDefault();
      this.upload(files, true);
    });
    for (const area of nodes.pictureAreas) {
      area.addEventListener("click", (event) => {
        const button = /** @type {HTMLElement | null} */ (
          /** @type {HTMLElement} */ (event.target).closest?.("[data-full]")
        );
        if (button) this.#openPicture(button);
      });
    }
    nodes.imageClose.addEventListener("click", () => nodes.imageDialog.close());
    nodes.imageDialog.addEventListener("close", () => nodes.imageHolder.replaceChildren());
  }

  /** Another chat is on screen (or none). @param {string | null} chatid */
  show(chatid) {
    this.uploads.show(chatid);
    this.#setNote(() => "");
  }

  /** Everything with words, again (the language changed). */
  redraw() {
    this.nodes.note.textContent = this.#note();
    this.uploads.redraw();
  }

  /**
   * Uploads files into the open chat; `pictures` sends images as pictures (at most
   * {@link MAX_PICTURES} at once).
   * @param {File[]} files
   * @param {boolean} pictures
   */
  upload(files, pictures) {
    const chatid = this.openChat();
    if (!chatid || !files.length) return;
    let chosen = files;
    if (pictures) {
      chosen = files.filter((f) => f.type.startsWith("image/")).slice(0, MAX_PICTURES);
      const left = files.length - chosen.length;
      this.#setNote(left ? () => t("upload.tooMany", { max: MAX_PICTURES }) : () => "");
    } else this.#setNote(() => "");
    for (const file of chosen) {
      const upload = new Upload(
        file,
        chatid,
        pictures || file.type.startsWith("image/"),
        (u) => this.uploads.render(u),
        (u, info) => {
          // An image by content goes as a picture; anything else (an SVG too) as a file.
          const image = u.asPicture && String(info.mime ?? "").startsWith("image/") &&
            Number(info.width) > 0;
          this.onUploaded(u.chatid, image ? "image" : "file", info);
          this.uploads.render(u);
        },
      );
      this.uploads.add(upload);
      upload.start();
    }
    this.nodes.uploadList.lastElementChild?.scrollIntoView({ block: "nearest" });
  }

  /** @param {() => string} text */
  #setNote(text) {
    this.#note = text;
    this.nodes.note.textContent = text();
  }

  /** The full picture of a thumbnail that was clicked. @param {HTMLElement} button */
  #openPicture(button) {
    const url = button.dataset.full ?? "";
    if (!url.startsWith("/files/")) return;
    const { imageHolder, imageDownload, imageDialog } = this.nodes;
    // Made when asked for: the page holds no picture of anyone's until one is opened.
    imageHolder.replaceChildren(
      el("img", { src: url, alt: button.dataset.name ?? "", dataset: { testid: "image-full" } }),
    );
    imageDownload.href = url;
    imageDownload.download = button.dataset.name ?? "";
    imageDialog.showModal();
  }
}
