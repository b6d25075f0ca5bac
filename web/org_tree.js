// @ts-check
/**
 * The organisation tree ("组织架构"), built in the page from the directory
 * (`GET /api/users`): `deptDetail` is each person's department path, top level first, comma
 * separated. Departments fold and unfold (native `<details>`, so the keyboard works), show how
 * many of their people are online, and list online people first, as the original did. The
 * folding survives redraws (presence changes redraw the tree).
 *
 * @module
 */
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { presenceOf, userItem } from "./sidebar.js";

/** @typedef {import("./sidebar.js").User} User */
/** @typedef {import("./sidebar.js").SidebarContext} SidebarContext */
/**
 * @typedef {{name: string, path: string, users: User[], children: Map<string, Department>}} Department
 */

/** Deeper paths are folded into their sixth level (the original honoured six). */
const MAX_DEPTH = 6;
/** The key of the department of people without one. */
const NO_DEPT = "\u0000";

/**
 * The department tree of `users`. Exported for tests of the page's logic.
 * @param {User[]} users
 * @returns {Department}
 */
export function buildTree(users) {
  /** @type {Department} */
  const root = { name: "", path: "", users: [], children: new Map() };
  for (const user of users) {
    let parts = String(user.deptDetail ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (parts.length === 0 && user.dept) parts = [user.dept.trim()];
    if (parts.length === 0) parts = [NO_DEPT];
    let node = root;
    for (const part of parts.slice(0, MAX_DEPTH)) {
      let child = node.children.get(part);
      if (!child) {
        child = {
          name: part,
          path: node.path ? `${node.path},${part}` : part,
          users: [],
          children: new Map(),
        };
        node.children.set(part, child);
      }
      node = child;
    }
    node.users.push(user);
  }
  return root;
}

export class OrgTree {
  /** Paths of the departments the reader unfolded (or, the first time, the top level). */
  #open = new Set();
  #touched = false;

  /** @param {HTMLElement} list */
  constructor(list) {
    this.list = list;
  }

  /**
   * Redraws the tree.
   * @param {User[]} users
   * @param {SidebarContext} ctx
   */
  render(users, ctx) {
    const root = buildTree(users);
    if (!this.#touched) {
      // Unfolded at first: the top level, and any department alone on its level.
      let level = [...root.children.values()];
      for (const dept of level) this.#open.add(dept.path);
      while (level.length === 1) {
        level = [...level[0].children.values()];
        if (level.length === 1) this.#open.add(level[0].path);
      }
    }
    this.list.replaceChildren(...this.#departments(root, ctx));
    if (users.length === 0) this.list.append(el("li", { class: "empty", text: t("org.empty") }));
  }

  /** @param {Department} dept @param {SidebarContext} ctx @returns {HTMLElement[]} */
  #departments(dept, ctx) {
    const children = [...dept.children.values()].sort((a, b) =>
      a.name === NO_DEPT ? 1 : b.name === NO_DEPT ? -1 : a.name.localeCompare(b.name)
    );
    return children.map((child) => {
      const { online, total } = countPeople(child, ctx);
      const details = el(
        "details",
        { open: this.#open.has(child.path) },
        el(
          "summary",
          { dataset: { testid: "dept", path: child.path, focusKey: `dept:${child.path}` } },
          el("span", {
            class: "dept-name",
            text: child.name === NO_DEPT ? t("org.noDept") : child.name,
          }),
          el("span", { class: "dept-count", text: t("org.count", { online, total }) }),
        ),
        el(
          "ul",
          { class: "tree-level" },
          ...sortPeople(child.users, ctx).map((u) => userItem(u, ctx, "user")),
          ...this.#departments(child, ctx),
        ),
      );
      details.addEventListener("toggle", () => {
        this.#touched = true;
        const open = /** @type {HTMLDetailsElement} */ (details).open;
        if (open) this.#open.add(child.path);
        else this.#open.delete(child.path);
      });
      return el("li", { class: "tree-dept" }, details);
    });
  }
}

/** Online people first, then by name. @param {User[]} users @param {SidebarContext} ctx */
function sortPeople(users, ctx) {
  return [...users].sort((a, b) =>
    Number(presenceOf(ctx, b.accountid) === "online") -
      Number(presenceOf(ctx, a.accountid) === "online") ||
    (a.username || a.accountid).localeCompare(b.username || b.accountid)
  );
}

/** @param {Department} dept @param {SidebarContext} ctx @returns {{online: number, total: number}} */
function countPeople(dept, ctx) {
  let online = dept.users.filter((u) => presenceOf(ctx, u.accountid) === "online").length;
  let total = dept.users.length;
  for (const child of dept.children.values()) {
    const counted = countPeople(child, ctx);
    online += counted.online;
    total += counted.total;
  }
  return { online, total };
}
