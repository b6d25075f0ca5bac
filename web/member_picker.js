// @ts-check
/**
 * Choosing people: for a new group, for adding members, for a broadcast's recipients. A
 * dialog with the organisation tree (a box per person and per department: a department's box
 * takes everyone in it and below it) and a search over account, name and department. What to
 * do with the choice is the caller's `onConfirm`, which answers null when done or the text of
 * the server's refusal, shown in the dialog while the choice stays as it was.
 *
 * @module
 */
import { avatar } from "./avatar.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { buildTree } from "./org_tree.js";

/** @typedef {import("./sidebar.js").User} User */
/** @typedef {import("./org_tree.js").Department} Department */
/** @typedef {{members: string[], depts: string[], title: string}} Choice */

/**
 * @typedef {object} PickerOptions
 * @property {string} heading
 * @property {string} confirm the confirm button's label
 * @property {boolean} [withTitle] asks for a group title too
 * @property {boolean} [keepDepts] a chosen department stays a department (broadcasts) rather
 *   than becoming its people
 * @property {Set<string>} [exclude] people not offered (already members, yourself)
 * @property {(choice: Choice) => Promise<string | null>} onConfirm
 */

export class MemberPicker {
  /** @type {Set<string>} */
  #members = new Set();
  /** @type {Set<string>} */
  #depts = new Set();
  /** @type {PickerOptions | null} */
  #options = null;
  /** @type {User[]} */
  #users = [];

  /** @param {HTMLDialogElement} dialog */
  constructor(dialog) {
    this.dialog = dialog;
    this.heading = el("h2", { dataset: { testid: "picker-heading" } });
    this.titleLabel = el("span");
    this.titleInput = /** @type {HTMLInputElement} */ (el("input", {
      maxLength: 100,
      dataset: { testid: "picker-title" },
    }));
    this.titleRow = el("label", { class: "field" }, this.titleLabel, this.titleInput);
    this.search = /** @type {HTMLInputElement} */ (el("input", {
      type: "search",
      autocomplete: "off",
      dataset: { testid: "picker-search" },
      on: { input: () => this.#draw() },
    }));
    this.tree = el("ul", { class: "picker-tree", dataset: { testid: "picker-tree" } });
    this.count = el("p", { class: "picker-count", dataset: { testid: "picker-count" } });
    this.error = el("p", {
      class: "form-error",
      dataset: { testid: "picker-error" },
      attrs: { role: "alert" },
    });
    this.ok = /** @type {HTMLButtonElement} */ (el("button", {
      type: "submit",
      dataset: { testid: "picker-confirm" },
    }));
    this.cancel = el("button", {
      type: "button",
      class: "quiet",
      dataset: { testid: "picker-cancel" },
      on: { click: () => dialog.close() },
    });
    const form = el(
      "form",
      {
        method: "dialog",
        class: "dialog-body",
        on: { submit: (/** @type {Event} */ e) => this.#submit(e) },
      },
      this.heading,
      this.titleRow,
      this.search,
      this.tree,
      this.count,
      this.error,
      el("div", { class: "dialog-actions" }, this.cancel, this.ok),
    );
    dialog.replaceChildren(form);
  }

  /**
   * Opens the picker over `users`.
   * @param {User[]} users
   * @param {PickerOptions} options
   */
  open(users, options) {
    this.#options = options;
    this.#users = users.filter((u) => !options.exclude?.has(u.accountid));
    this.#members.clear();
    this.#depts.clear();
    this.titleInput.value = "";
    this.search.value = "";
    this.error.textContent = "";
    this.#labels();
    this.#draw();
    this.dialog.showModal();
    (options.withTitle ? this.titleInput : this.search).focus();
  }

  /** The words again (the language changed while it is open). */
  redraw() {
    if (!this.#options || !this.dialog.open) return;
    this.#labels();
    this.#draw();
  }

  #labels() {
    const options = this.#options;
    if (!options) return;
    this.heading.textContent = options.heading;
    this.titleRow.hidden = !options.withTitle;
    this.titleLabel.textContent = t("picker.title");
    this.titleInput.placeholder = t("picker.titlePlaceholder");
    this.search.placeholder = t("picker.search");
    this.search.setAttribute("aria-label", t("picker.search"));
    this.ok.textContent = options.confirm;
    this.cancel.textContent = t("dialog.cancel");
  }

  /** @param {Event} event */
  async #submit(event) {
    event.preventDefault();
    const options = this.#options;
    if (!options) return;
    this.ok.disabled = true;
    this.error.textContent = "";
    try {
      const failure = await options.onConfirm(this.choice());
      if (failure) this.error.textContent = failure;
      else this.dialog.close();
    } finally {
      this.ok.disabled = false;
    }
  }

  /** What is chosen now: departments expanded to their people unless `keepDepts`. */
  choice() {
    const members = new Set(this.#members);
    const depts = [...this.#depts];
    if (!this.#options?.keepDepts) {
      for (const user of this.#users) {
        if (depts.some((path) => inDept(user, path))) members.add(user.accountid);
      }
    }
    return {
      members: [...members],
      depts: this.#options?.keepDepts ? depts : [],
      title: this.titleInput.value.trim(),
    };
  }

  #draw() {
    const query = this.search.value.trim().toLowerCase();
    if (query) {
      const found = this.#users.filter((u) =>
        [u.accountid, u.username, u.dept, u.deptDetail].some((v) =>
          String(v ?? "").toLowerCase().includes(query)
        )
      );
      this.tree.replaceChildren(...found.slice(0, 200).map((u) => this.#person(u)));
      if (!found.length) this.tree.append(el("li", { class: "empty", text: t("search.nothing") }));
    } else {
      const root = buildTree(this.#users);
      this.tree.replaceChildren(...this.#departments(root, false));
    }
    this.#showCount();
  }

  #showCount() {
    this.error.textContent = ""; // a refusal is about the choice before this change
    const { members, depts } = this.choice();
    this.count.textContent = this.#options?.keepDepts
      ? t("picker.countDepts", { people: this.#members.size, depts: depts.length })
      : t("picker.count", { count: members.length });
  }

  /** @param {Department} dept @param {boolean} covered an enclosing department is chosen @returns {HTMLElement[]} */
  #departments(dept, covered) {
    return [...dept.children.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((child) => {
        const chosen = covered || this.#depts.has(child.path);
        const box = /** @type {HTMLInputElement} */ (el("input", {
          type: "checkbox",
          checked: chosen,
          disabled: covered,
          dataset: { testid: "picker-dept", path: child.path },
          attrs: { "aria-label": t("picker.wholeDept", { name: deptName(child.name) }) },
          on: {
            change: () => {
              if (box.checked) this.#depts.add(child.path);
              else this.#depts.delete(child.path);
              this.#draw(); // the people below follow the department's box
              /** @type {HTMLElement | null} */ (this.tree.querySelector(
                `[data-testid="picker-dept"][data-path="${CSS.escape(child.path)}"]`,
              ))?.focus();
            },
          },
        }));
        return el(
          "li",
          { class: "tree-dept" },
          el(
            "details",
            { open: true },
            el(
              "summary",
              {},
              box,
              el("span", { class: "dept-name", text: deptName(child.name) }),
            ),
            el(
              "ul",
              { class: "tree-level" },
              ...child.users.map((u) => this.#person(u, chosen)),
              ...this.#departments(child, chosen),
            ),
          ),
        );
      });
  }

  /** @param {User} user @param {boolean} [covered] */
  #person(user, covered = false) {
    const name = user.username || user.accountid;
    const box = /** @type {HTMLInputElement} */ (el("input", {
      type: "checkbox",
      checked: covered || this.#members.has(user.accountid),
      disabled: covered,
      dataset: { testid: "picker-person", accountid: user.accountid },
      on: {
        change: () => {
          if (box.checked) this.#members.add(user.accountid);
          else this.#members.delete(user.accountid);
          this.#showCount(); // not redrawn: the focus stays on the box
        },
      },
    }));
    return el(
      "li",
      { class: "picker-person" },
      el(
        "label",
        {},
        box,
        avatar(user.accountid, name),
        el("span", { class: "name", text: name }),
        el("span", { class: "preview", text: user.accountid }),
      ),
    );
  }
}

/** @param {User} user @param {string} path */
function inDept(user, path) {
  const own = String(user.deptDetail || user.dept || "").split(",").map((s) => s.trim())
    .filter(Boolean).join(",");
  return own === path || own.startsWith(`${path},`);
}

/** @param {string} name */
function deptName(name) {
  return name === "\u0000" ? t("org.noDept") : name;
}
