/**
 * {@link Directory} on LDAP (Active Directory, OpenLDAP) through `ldapts`. Every call opens its
 * own connection (a login is rare next to messages; a pool would hold a service bind open for
 * nothing), gives up after `directory.timeoutSeconds`, and is closed again.
 *
 * A login searches the account with the service account, then binds as the entry found with the
 * password typed. An empty password never reaches a bind: LDAP servers treat a simple bind with
 * a DN and no password as an anonymous ("unauthenticated") bind that succeeds.
 *
 * @module
 */
import { Client, InvalidCredentialsError, SizeLimitExceededError } from "ldapts";
import type { Entry } from "ldapts";
import {
  type DirectoryAttributes,
  type DirectoryConfig,
  directorySearch,
} from "../config/directory_config.ts";
import {
  type Directory,
  type DirectoryLogin,
  type DirectoryPeople,
  type DirectoryPerson,
  DirectoryUnavailableError,
  type SkippedEntry,
} from "./directory.ts";
import { fillFilter, ouPath } from "./ldap_escape.ts";
import { ACCOUNT_ID, type User } from "./users.ts";

/** `webchat_user`'s column widths, in characters: longer directory values are cut. */
const WIDTHS: Record<Exclude<keyof User, "accountid">, number> = {
  username: 40,
  dept: 40,
  deptDetail: 128,
  email: 255,
  tel: 40,
  mobile: 100,
};

/** The directory over LDAP. */
export class LdapDirectory implements Directory {
  readonly #config: DirectoryConfig;
  readonly #ca: string | undefined;
  readonly #search: ReturnType<typeof directorySearch>;

  constructor(config: DirectoryConfig) {
    if (!config.url) throw new Error("Cannot use the directory: directory.url is not set");
    this.#config = config;
    this.#ca = config.caFile ? Deno.readTextFileSync(config.caFile) : undefined;
    this.#search = directorySearch(config);
  }

  async login(account: string, password: string): Promise<DirectoryLogin> {
    // Checked before any connection: nothing unusual reaches the directory at all.
    if (!ACCOUNT_ID.test(account)) return { result: "unknown" };
    if (password === "") {
      // The entry is still looked up, so an empty password answers like a wrong one.
      const found = await this.#session((client) => this.#find(client, account));
      return found.result === "ok" ? { result: "bad_password" } : found;
    }
    return await this.#session(async (client) => {
      const found = await this.#find(client, account);
      if (found.result !== "ok") return found;
      try {
        await this.#timed(client.bind(found.person.dn, password));
      } catch (error) {
        if (error instanceof InvalidCredentialsError) return { result: "bad_password" };
        throw unavailable("bind", error);
      }
      return found;
    });
  }

  async people(progress?: (found: number) => void): Promise<DirectoryPeople> {
    return await this.#session(async (client) => {
      const entries: Entry[] = [];
      try {
        const pages = client.searchPaginated(this.#search.baseDn, {
          scope: "sub",
          filter: this.#search.listFilter,
          attributes: this.#attributeNames(),
          paged: { pageSize: 500 },
        });
        for await (const page of pages) {
          entries.push(...page.searchEntries);
          progress?.(entries.length);
        }
      } catch (error) {
        throw unavailable("search", error);
      }
      const skipped: SkippedEntry[] = [];
      const byAccount = new Map<string, DirectoryPerson[]>();
      for (const entry of entries) {
        const person = this.#person(entry);
        if (typeof person === "string") {
          skipped.push({ dn: entry.dn, reason: person });
          continue;
        }
        const key = person.user.accountid.toLowerCase();
        byAccount.set(key, [...byAccount.get(key) ?? [], person]);
      }
      const people: DirectoryPerson[] = [];
      for (const same of byAccount.values()) {
        if (same.length === 1) people.push(same[0]);
        else {
          for (const person of same) {
            skipped.push({
              dn: person.dn,
              reason: `account "${person.user.accountid}" appears ${same.length} times`,
            });
          }
        }
      }
      people.sort((a, b) => a.user.accountid < b.user.accountid ? -1 : 1);
      return { people, skipped };
    });
  }

  /** The one entry of `account`, read with the service account's bind. */
  async #find(client: Client, account: string): Promise<DirectoryLogin> {
    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await this.#timed(client.search(this.#search.baseDn, {
        scope: "sub",
        filter: fillFilter(this.#search.userFilter, account),
        attributes: this.#attributeNames(),
        sizeLimit: 2,
        timeLimit: this.#config.timeoutSeconds,
      })));
    } catch (error) {
      if (error instanceof SizeLimitExceededError) return { result: "ambiguous" };
      throw unavailable("search", error);
    }
    if (entries.length === 0) return { result: "unknown" };
    if (entries.length > 1) return { result: "ambiguous" };
    const person = this.#person(entries[0]);
    // The filter found it, yet it cannot be an account here: nobody logs in as it.
    if (typeof person === "string") return { result: "unknown" };
    if (person.user.accountid.toLowerCase() !== account.toLowerCase()) return { result: "unknown" };
    return { result: "ok", person };
  }

  /** A connected, service-bound client for `work`, closed afterwards whatever happens. */
  async #session<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const ms = this.#config.timeoutSeconds * 1000;
    const url = this.#config.url!;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    // The name checked against the certificate (an IP address is matched by its SAN instead).
    const isIp = /^[\d.]+$|:/.test(host);
    const tlsOptions = {
      ca: this.#ca ? [this.#ca] : undefined,
      host,
      ...(isIp ? {} : { servername: host }),
    };
    // ldapts speaks TLS from the first byte whenever it is given TLS options: only for ldaps://.
    const client = new Client({
      url,
      timeout: ms,
      connectTimeout: ms,
      tlsOptions: url.startsWith("ldaps:") ? tlsOptions : undefined,
      strictDN: true,
    });
    try {
      if (this.#config.startTls) {
        try {
          await this.#timed(client.startTLS(tlsOptions));
        } catch (error) {
          throw unavailable("tls", error);
        }
      }
      if (this.#config.bindDn !== "") {
        try {
          await this.#timed(client.bind(this.#config.bindDn, this.#config.bindPassword));
        } catch (error) {
          if (error instanceof InvalidCredentialsError) {
            throw new DirectoryUnavailableError(
              "bind",
              "the directory refused the service account (check directory.bindDn and its password)",
            );
          }
          throw unavailable(isTlsError(error) ? "tls" : "connect", error);
        }
      }
      return await work(client);
    } catch (error) {
      if (error instanceof DirectoryUnavailableError) throw error;
      throw unavailable(isTlsError(error) ? "tls" : "connect", error);
    } finally {
      await this.#timed(client.unbind()).catch(() => {});
    }
  }

  /** `operation`, or a timeout error once `timeoutSeconds` pass (a server that never answers). */
  #timed<T>(operation: Promise<T>): Promise<T> {
    const ms = this.#config.timeoutSeconds * 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  #attributeNames(): string[] {
    const names = Object.values(this.#search.attributes).filter((n): n is string => n !== null);
    return [...new Set(names)];
  }

  /** The profile of an entry, or why it cannot be one. */
  #person(entry: Entry): DirectoryPerson | string {
    const values = new Map<string, string>();
    for (const [name, value] of Object.entries(entry)) {
      if (name === "dn") continue;
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) values.set(name.toLowerCase(), String(first));
    }
    const attrs = this.#search.attributes;
    const get = (name: string | null) => (name ? values.get(name.toLowerCase()) ?? "" : "");
    const accountid = get(attrs.account).trim();
    if (accountid === "") return `no ${attrs.account} attribute`;
    if (!ACCOUNT_ID.test(accountid)) {
      return `account "${accountid.slice(0, 64)}" is not 1-40 letters, digits, _ or .`;
    }
    let ous: string[];
    try {
      ous = ouPath(entry.dn);
    } catch {
      return "its DN cannot be read";
    }
    const root = this.#config.deptRoot;
    const fromPath = [...(root ? [root] : []), ...ous].join(",");
    const profile: User = {
      accountid,
      username: get(attrs.username) || accountid,
      dept: attrs.dept ? get(attrs.dept) : ous.at(-1) ?? root,
      deptDetail: attrs.deptDetail ? get(attrs.deptDetail) : fromPath,
      email: get(attrs.email),
      tel: get(attrs.tel),
      mobile: get(attrs.mobile),
    };
    for (const [field, width] of Object.entries(WIDTHS)) {
      const key = field as keyof typeof WIDTHS;
      // Control characters (a directory may hold anything) become spaces.
      // deno-lint-ignore no-control-regex
      const clean = profile[key].replace(/[\0-\x1f\x7f]/g, " ").trim();
      profile[key] = [...clean].slice(0, width).join("");
    }
    return { dn: entry.dn, user: profile };
  }
}

/** The attribute names a {@link LdapDirectory} reads, for documentation and tests. */
export type { DirectoryAttributes };

function unavailable(during: DirectoryUnavailableError["during"], error: unknown) {
  if (error instanceof DirectoryUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = String((error as { code?: string })?.code ?? "");
  const refused = /^E(CONN|HOST|NET|TIMEDOUT|NOTFOUND|ADDR|AI_)/.test(code) ||
    /connect ECONN|connection timeout|Connection closed/i.test(message);
  return new DirectoryUnavailableError(
    isTlsError(error) ? "tls" : refused ? "connect" : during,
    message,
  );
}

function isTlsError(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  return /CERT|SSL|TLS|self[- ]signed|certificate/i.test(text);
}
