// @ts-check
/**
 * What the page knows of groups: title, owner and members (from `GET /api/groups/:chatid` and
 * every `groupset`/`systemNotice` frame), which ones the reader muted (`init.muted`, kept on the
 * server), and the answers to the reader's own group frames. `groupset` and `systemNotice`
 * carry no `cid`, but one connection's frames are handled in order, so the server's answer to
 * the oldest frame waiting is either its echo (the change, from this account) or the next
 * `error` without a `cid`.
 *
 * @module
 */
import { api } from "./api.js";
import { errorText, t } from "./i18n.js";

/**
 * @typedef {{chatid: string, title: string, owner: string, members: string[], left: boolean}} Group
 * @typedef {{chatid: string, kind: "groupset" | "systemNotice", resolve: (failure: string | null) => void,
 *   timer: ReturnType<typeof setTimeout>}} Waiter
 */

/** A group's answer that takes longer is reported as missing (the frame may be lost). */
const ANSWER_MS = 15_000;

/** A group id: `<owner>-<digits>`. @param {string} chatid */
export function isGroupId(chatid) {
  return /^[A-Za-z0-9_.]{1,40}-\d{1,20}$/.test(chatid);
}

export class GroupBook {
  /** @type {Map<string, Group>} */
  #groups = new Map();
  /** @type {Set<string>} */
  muted = new Set();
  /** @type {Waiter[]} */
  #waiting = [];
  /** @type {Map<string, Promise<Group | null>>} */
  #loading = new Map();

  /**
   * @param {(frame: object) => boolean} send sends on the socket; false when offline
   * @param {() => void} onChange something shown may have changed
   */
  constructor(send, onChange) {
    this.send = send;
    this.onChange = onChange;
  }

  /** @param {string} chatid */
  get(chatid) {
    return this.#groups.get(chatid) ?? null;
  }

  /** The group's info from the server (once; again with `fresh`). @param {string} chatid */
  load(chatid, fresh = false) {
    const held = this.#loading.get(chatid);
    if (held && !fresh) return held;
    const loading = api("GET", `/api/groups/${encodeURIComponent(chatid)}`).then(
      (/** @type {any} */ info) => {
        const group = this.#put(chatid, {
          title: info.title,
          owner: info.owner,
          members: info.members.map((/** @type {any} */ m) => m.accountid),
          left: false,
        });
        this.onChange();
        return group;
      },
      (error) => {
        this.#loading.delete(chatid);
        if (error.status === 403 || error.status === 404) {
          this.#put(chatid, { left: true });
          this.onChange();
        }
        return this.get(chatid);
      },
    );
    this.#loading.set(chatid, loading);
    return loading;
  }

  /** @param {string} chatid @param {Partial<Group>} change */
  #put(chatid, change) {
    const group = this.#groups.get(chatid) ??
      { chatid, title: "", owner: "", members: [], left: false };
    Object.assign(group, change);
    this.#groups.set(chatid, group);
    return group;
  }

  /** Sets the title a contact list knows before the group's info arrives. @param {string} chatid @param {string} title */
  knowTitle(chatid, title) {
    const group = this.#groups.get(chatid);
    if (group) {
      if (!group.title) group.title = title;
    } else if (title) this.#put(chatid, { title });
  }

  /**
   * A `groupset` frame. Returns true when the reader is (now) a member.
   * @param {any} frame
   * @param {string} me
   */
  onGroupset(frame, me) {
    const members = Array.isArray(frame.members) ? frame.members.map(String) : [];
    const inside = members.includes(me);
    this.#put(frame.chatid, {
      title: String(frame.title ?? ""),
      owner: String(frame.owner ?? ""),
      members,
      left: !inside,
    });
    if (!inside) this.muted.delete(frame.chatid); // a mute ends with the membership
    if (frame.fromuser === me) this.#answer(frame.chatid, "groupset", null);
    this.onChange();
    return inside;
  }

  /** A `systemNotice` frame. @param {any} frame @param {string} me */
  onNotice(frame, me) {
    if (frame.action === "grouptitle") {
      this.#put(frame.chatid, { title: String(frame.title ?? "") });
    } else if (frame.action === "closenotice") this.muted.add(frame.chatid);
    else if (frame.action === "opennotice") this.muted.delete(frame.chatid);
    if (frame.fromuser === me) this.#answer(frame.chatid, "systemNotice", null);
    this.onChange();
  }

  /**
   * An `error` frame without a `cid`: the answer to the oldest group frame waiting, if any.
   * @param {{info: string, msg: string}} frame
   * @returns {boolean} whether it was one
   */
  onError(frame) {
    const waiter = this.#waiting.shift();
    if (!waiter) return false;
    clearTimeout(waiter.timer);
    waiter.resolve(errorText(frame.info, frame.msg));
    return true;
  }

  /** The socket went away: frames waiting will never be answered. */
  dropWaiting() {
    for (const waiter of this.#waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(t("group.lost"));
    }
  }

  /**
   * Sends a `groupset` or `systemNotice`; resolves with null once the server applied it, else
   * with the reason in the reader's language.
   * @param {any} frame
   * @returns {Promise<string | null>}
   */
  request(frame) {
    return new Promise((resolve) => {
      if (!this.send(frame)) {
        resolve(t("group.offline"));
        return;
      }
      /** @type {Waiter} */
      const waiter = {
        chatid: frame.chatid,
        kind: frame.type,
        resolve,
        timer: setTimeout(() => {
          this.#waiting = this.#waiting.filter((w) => w !== waiter);
          resolve(t("group.noAnswer"));
        }, ANSWER_MS),
      };
      this.#waiting.push(waiter);
    });
  }

  /** @param {string} chatid @param {string} kind @param {string | null} failure */
  #answer(chatid, kind, failure) {
    const i = this.#waiting.findIndex((w) => w.chatid === chatid && w.kind === kind);
    if (i < 0) return;
    const [waiter] = this.#waiting.splice(i, 1);
    clearTimeout(waiter.timer);
    waiter.resolve(failure);
  }

  clear() {
    this.dropWaiting();
    this.#groups.clear();
    this.#loading.clear();
    this.muted.clear();
  }
}
