// @ts-check
/**
 * A group's dialog: its title (renamed here), owner and members, adding people (the member
 * picker), removing them (offered to the owner, as the server allows only the owner to), and
 * leaving. Every change is a frame to the server; what the server answers is shown here, its
 * refusals included, and the dialog follows the group's frames while it is open. Its fields and
 * buttons are made once and only updated, so a frame that arrives while the reader types or
 * clicks takes neither the text nor the click away.
 *
 * @module
 */
import { avatar } from "./avatar.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {import("./groups.js").GroupBook} GroupBook */
/** @typedef {import("./member_picker.js").MemberPicker} MemberPicker */
/** @typedef {import("./sidebar.js").User} User */

/**
 * @typedef {object} GroupPanelContext
 * @property {string} me
 * @property {GroupBook} groups
 * @property {MemberPicker} picker
 * @property {() => User[]} users everyone in the directory
 * @property {(accountid: string) => string} nameOf
 */

export class GroupPanel {
  /** @type {string | null} */
  chatid = null;
  error = "";
  titleEdited = false;
  /** The members drawn last (the list is redrawn only when they change). */
  #drawn = "";

  /**
   * @param {HTMLDialogElement} dialog
   * @param {GroupPanelContext} ctx
   */
  constructor(dialog, ctx) {
    this.dialog = dialog;
    this.ctx = ctx;
    dialog.addEventListener("close", () => {
      this.chatid = null;
    });
    this.heading = el("h2", { dataset: { testid: "group-heading" } });
    this.summary = el("p", { class: "subtitle", dataset: { testid: "group-summary" } });
    this.titleInput = /** @type {HTMLInputElement} */ (el("input", {
      maxLength: 100,
      required: true,
      dataset: { testid: "group-title-input" },
      on: { input: () => (this.titleEdited = true) },
    }));
    this.renameButton = /** @type {HTMLButtonElement} */ (el("button", {
      type: "submit",
      dataset: { testid: "group-rename" },
    }));
    const rename = el(
      "form",
      {
        class: "group-rename",
        on: { submit: (/** @type {Event} */ event) => this.#rename(event) },
      },
      this.titleInput,
      this.renameButton,
    );
    this.list = el("ul", { class: "member-list", dataset: { testid: "group-members" } });
    this.errorLine = el("p", {
      class: "form-error",
      dataset: { testid: "group-error" },
      attrs: { role: "alert" },
    });
    this.leaveButton = /** @type {HTMLButtonElement} */ (el("button", {
      type: "button",
      class: "danger",
      dataset: { testid: "group-leave" },
      on: { click: () => this.#leave() },
    }));
    this.addButton = /** @type {HTMLButtonElement} */ (el("button", {
      type: "button",
      dataset: { testid: "group-add" },
      on: { click: () => this.#add() },
    }));
    this.closeButton = el("button", {
      type: "button",
      class: "quiet",
      dataset: { testid: "group-close" },
      on: { click: () => this.dialog.close() },
    });
    dialog.replaceChildren(
      el(
        "div",
        { class: "dialog-body" },
        this.heading,
        this.summary,
        rename,
        this.list,
        this.errorLine,
        el("div", { class: "dialog-actions" }, this.leaveButton, this.addButton, this.closeButton),
      ),
    );
  }

  /** @param {string} chatid */
  open(chatid) {
    this.chatid = chatid;
    this.error = "";
    this.titleEdited = false;
    this.#drawn = "";
    delete this.leaveButton.dataset.armed;
    this.render();
    this.dialog.showModal();
    this.ctx.groups.load(chatid, true).then(() => this.render());
  }

  /** The group shown, and what the reader may do in it. */
  #state() {
    const { me, groups } = this.ctx;
    const group = this.chatid ? groups.get(this.chatid) : null;
    const members = group?.members ?? [];
    const inside = !!group && !group.left && members.includes(me);
    return { group, members, inside, owner: group?.owner ?? "" };
  }

  /** Updates the dialog (a frame changed the group, the language changed). */
  render() {
    const chatid = this.chatid;
    if (!chatid) return;
    const { me, nameOf } = this.ctx;
    const { group, members, inside, owner } = this.#state();
    this.heading.textContent = group?.title || chatid;
    this.summary.textContent = group?.left
      ? t("group.notMember")
      : t("group.summary", { owner: owner ? nameOf(owner) : "…", count: members.length });
    if (!this.titleEdited) this.titleInput.value = group?.title ?? "";
    this.titleInput.disabled = this.renameButton.disabled = !inside;
    this.titleInput.setAttribute("aria-label", t("group.rename"));
    this.renameButton.textContent = t("group.rename");
    this.addButton.textContent = t("group.add");
    this.addButton.disabled = this.leaveButton.disabled = !inside;
    this.leaveButton.textContent = t(
      this.leaveButton.dataset.armed ? "group.leaveConfirm" : "group.leave",
    );
    this.closeButton.textContent = t("dialog.close");
    this.errorLine.textContent = this.error;
    const drawn = JSON.stringify([members, owner, inside, me, t("group.owner")]);
    if (drawn === this.#drawn) return;
    this.#drawn = drawn;
    const mayRemove = owner === me && inside;
    this.list.replaceChildren(...members.map((accountid) =>
      el(
        "li",
        { class: "member", dataset: { testid: "group-member", accountid } },
        avatar(accountid, nameOf(accountid)),
        el("span", { class: "name", text: nameOf(accountid) }),
        el("span", {
          class: "preview",
          text: accountid === owner ? `${accountid} · ${t("group.owner")}` : accountid,
        }),
        mayRemove && accountid !== me
          ? el("button", {
            type: "button",
            class: "link",
            text: t("group.remove"),
            dataset: { testid: "group-remove", accountid },
            attrs: { "aria-label": t("group.removeNamed", { name: nameOf(accountid) }) },
            on: { click: () => this.#change(members.filter((m) => m !== accountid)) },
          })
          : null,
      )
    ));
  }

  /**
   * Sends a change and shows the server's refusal, if any.
   * @param {() => Promise<string | null>} change
   */
  async #act(change) {
    const chatid = this.chatid;
    this.error = "";
    this.errorLine.textContent = "";
    const failure = await change();
    if (this.chatid !== chatid) return;
    this.error = failure ?? "";
    this.render();
  }

  /** A new member list. @param {string[]} members */
  #change(members) {
    const chatid = this.chatid;
    if (!chatid) return;
    this.#act(() => this.ctx.groups.request({ type: "groupset", chatid, title: "", members }));
  }

  /** @param {Event} event */
  #rename(event) {
    event.preventDefault();
    const chatid = this.chatid;
    const title = this.titleInput.value.trim();
    if (!chatid || !title || title === this.#state().group?.title) return;
    this.titleEdited = false;
    this.#act(() =>
      this.ctx.groups.request({ type: "systemNotice", chatid, action: "grouptitle", title })
    );
  }

  #add() {
    const chatid = this.chatid;
    if (!chatid) return;
    const { members } = this.#state();
    this.ctx.picker.open(this.ctx.users(), {
      heading: t("group.addHeading"),
      confirm: t("group.add"),
      exclude: new Set(members),
      onConfirm: ({ members: added }) =>
        this.ctx.groups.request({
          type: "groupset",
          chatid,
          title: "",
          members: [...members, ...added.filter((m) => !members.includes(m))],
        }),
    });
  }

  #leave() {
    // Asked twice, without a blocking confirm(): the first click only arms the button.
    if (!this.leaveButton.dataset.armed) {
      this.leaveButton.dataset.armed = "1";
      this.leaveButton.textContent = t("group.leaveConfirm");
      return;
    }
    delete this.leaveButton.dataset.armed;
    const { members } = this.#state();
    this.#change(members.filter((m) => m !== this.ctx.me));
  }
}
