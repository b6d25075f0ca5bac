// @ts-check
/**
 * A group's dialog: its title (renamed here), owner and members, adding people (the member
 * picker), removing them (offered to the owner, as the server allows only the owner to), and
 * leaving. Every change is a frame to the server; what the server answers is shown here, its
 * refusals included, and the dialog follows the group's frames while it is open.
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
    /** Kept across redraws, so what the reader is typing survives a frame that redraws. */
    this.titleInput = /** @type {HTMLInputElement} */ (el("input", {
      maxLength: 100,
      required: true,
      dataset: { testid: "group-title-input" },
      on: { input: () => (this.titleEdited = true) },
    }));
    this.titleEdited = false;
  }

  /** @param {string} chatid */
  open(chatid) {
    this.chatid = chatid;
    this.error = "";
    this.titleEdited = false;
    this.render();
    this.dialog.showModal();
    this.ctx.groups.load(chatid, true).then(() => this.render());
  }

  /** Draws the dialog again (a frame changed the group, the language changed). */
  render() {
    const chatid = this.chatid;
    if (!chatid) return;
    const { me, groups, nameOf } = this.ctx;
    const group = groups.get(chatid);
    const owner = group?.owner ?? "";
    const isOwner = owner === me;
    const members = group?.members ?? [];
    const inside = !!group && !group.left && members.includes(me);
    const titleInput = this.titleInput;
    if (!this.titleEdited) titleInput.value = group?.title ?? "";
    titleInput.disabled = !inside;
    titleInput.setAttribute("aria-label", t("group.rename"));
    const errorLine = el("p", {
      class: "form-error",
      text: this.error,
      dataset: { testid: "group-error" },
      attrs: { role: "alert" },
    });
    /** Runs a change and shows the server's refusal. @param {() => Promise<string | null>} change */
    const act = async (change) => {
      this.error = "";
      errorLine.textContent = "";
      const failure = await change();
      this.error = failure ?? "";
      if (this.chatid === chatid) this.render();
    };
    const rename = el(
      "form",
      {
        class: "group-rename",
        on: {
          submit: (/** @type {Event} */ event) => {
            event.preventDefault();
            const title = titleInput.value.trim();
            if (!title || title === group?.title) return;
            this.titleEdited = false;
            act(() =>
              groups.request({ type: "systemNotice", chatid, action: "grouptitle", title })
            );
          },
        },
      },
      titleInput,
      el("button", {
        type: "submit",
        text: t("group.rename"),
        disabled: !inside,
        dataset: { testid: "group-rename" },
      }),
    );
    const list = el(
      "ul",
      { class: "member-list", dataset: { testid: "group-members" } },
      ...members.map((accountid) =>
        el(
          "li",
          { class: "member", dataset: { testid: "group-member", accountid } },
          avatar(accountid, nameOf(accountid)),
          el("span", { class: "name", text: nameOf(accountid) }),
          el("span", {
            class: "preview",
            text: accountid === owner ? `${accountid} · ${t("group.owner")}` : accountid,
          }),
          isOwner && inside && accountid !== me
            ? el("button", {
              type: "button",
              class: "link",
              text: t("group.remove"),
              dataset: { testid: "group-remove", accountid },
              attrs: { "aria-label": t("group.removeNamed", { name: nameOf(accountid) }) },
              on: {
                click: () =>
                  act(() =>
                    groups.request({
                      type: "groupset",
                      chatid,
                      title: "",
                      members: members.filter((m) => m !== accountid),
                    })
                  ),
              },
            })
            : null,
        )
      ),
    );
    const add = el("button", {
      type: "button",
      text: t("group.add"),
      disabled: !inside,
      dataset: { testid: "group-add" },
      on: {
        click: () =>
          this.ctx.picker.open(this.ctx.users(), {
            heading: t("group.addHeading"),
            confirm: t("group.add"),
            exclude: new Set(members),
            onConfirm: ({ members: added }) =>
              groups.request({
                type: "groupset",
                chatid,
                title: "",
                members: [...members, ...added.filter((m) => !members.includes(m))],
              }),
          }),
      },
    });
    const leave = el("button", {
      type: "button",
      class: "danger",
      text: t("group.leave"),
      disabled: !inside,
      dataset: { testid: "group-leave" },
      on: {
        click: () => {
          // Asked twice, without a blocking confirm(): the first click only arms the button.
          if (leave.dataset.armed !== "1") {
            leave.dataset.armed = "1";
            leave.textContent = t("group.leaveConfirm");
            return;
          }
          act(() =>
            groups.request({
              type: "groupset",
              chatid,
              title: "",
              members: members.filter((m) => m !== me),
            })
          );
        },
      },
    });
    this.dialog.replaceChildren(
      el(
        "div",
        { class: "dialog-body" },
        el("h2", { text: group?.title || chatid, dataset: { testid: "group-heading" } }),
        el("p", {
          class: "subtitle",
          text: group?.left
            ? t("group.notMember")
            : t("group.summary", { owner: owner ? nameOf(owner) : "…", count: members.length }),
          dataset: { testid: "group-summary" },
        }),
        rename,
        list,
        errorLine,
        el(
          "div",
          { class: "dialog-actions" },
          leave,
          add,
          el("button", {
            type: "button",
            class: "quiet",
            text: t("dialog.close"),
            dataset: { testid: "group-close" },
            on: { click: () => this.dialog.close() },
          }),
        ),
      ),
    );
  }
}
