/**
 * The company directory's settings (`directory.*`): where the LDAP server is, how to bind and
 * search, which attributes make a profile, and which local accounts keep logging in beside it.
 * The kind (`ad` or `openldap`) supplies the filters and attribute names nobody set.
 *
 * @module
 */

/** The attributes a profile is read from; null: taken from the entry's OU path. */
export interface DirectoryAttributes {
  account: string;
  username: string;
  /** null: the lowest OU of the entry's DN. */
  dept: string | null;
  /** null: the OU path of the DN, top level first, comma separated. */
  deptDetail: string | null;
  email: string;
  tel: string;
  mobile: string;
}

/** `directory.*` as resolved. `url` null: no directory, every account is local. */
export interface DirectoryConfig {
  url: string | null;
  kind: "ad" | "openldap";
  /** Upgrade an `ldap://` connection with StartTLS before anything is sent. */
  startTls: boolean;
  /** PEM file of the CA(s) that sign the directory's certificate; null: the system's. */
  caFile: string | null;
  /** Service account that searches; "" searches anonymously. */
  bindDn: string;
  /** Its password (from `bindPasswordFile` or `CHAT_DIRECTORY_BIND_PASSWORD`); never logged. */
  bindPassword: string;
  bindPasswordFile: string | null;
  baseDn: string;
  /** Finds one person; `{account}` stands for the escaped account name. null: the kind's. */
  userFilter: string | null;
  /** Finds everybody `chat directory sync` imports. null: the kind's. */
  listFilter: string | null;
  /** Attribute names as set (`ou` for `dept`/`deptDetail`: the OU path); the rest: the kind's. */
  attributeSettings: Partial<Record<keyof DirectoryAttributes, string>>;
  /** Put in front of every OU path (`Company` → `Company,R&D,Web`); "" for none. */
  deptRoot: string;
  /** Each directory call (connect, bind, search) gives up after this long. */
  timeoutSeconds: number;
  /** Accounts that may log in with a local password (e.g. `admin`). */
  localAccounts: string[];
  /** `directory-first`: local passwords only when the directory did not accept the login. */
  order: "directory-first" | "local-first";
  /** The server syncs every this many hours; 0: only `chat directory sync`. */
  syncHours: number;
}

/** How people are found and read. */
export interface DirectorySearch {
  userFilter: string;
  listFilter: string;
  attributes: DirectoryAttributes;
}

/** What each kind of directory uses when the setting is not given. */
export const DIRECTORY_KINDS: Record<DirectoryConfig["kind"], DirectorySearch> = {
  ad: {
    userFilter: "(&(objectCategory=person)(objectClass=user)(sAMAccountName={account}))",
    // Disabled accounts (userAccountControl bit 2) are people who left.
    listFilter: "(&(objectCategory=person)(objectClass=user)(sAMAccountName=*)" +
      "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))",
    attributes: {
      account: "sAMAccountName",
      username: "displayName",
      dept: "department",
      deptDetail: null,
      email: "mail",
      tel: "telephoneNumber",
      mobile: "mobile",
    },
  },
  openldap: {
    userFilter: "(&(objectClass=inetOrgPerson)(uid={account}))",
    listFilter: "(&(objectClass=inetOrgPerson)(uid=*))",
    attributes: {
      account: "uid",
      username: "cn",
      dept: null,
      deptDetail: null,
      email: "mail",
      tel: "telephoneNumber",
      mobile: "mobile",
    },
  },
};

/** No directory: the defaults before any setting. */
export function defaultDirectory(): DirectoryConfig {
  return {
    url: null,
    kind: "ad",
    startTls: false,
    caFile: null,
    bindDn: "",
    bindPassword: "",
    bindPasswordFile: null,
    baseDn: "",
    userFilter: null,
    listFilter: null,
    attributeSettings: {},
    deptRoot: "",
    timeoutSeconds: 5,
    localAccounts: ["admin"],
    order: "directory-first",
    syncHours: 0,
  };
}

/** The filters and attributes in force: the settings given, the kind's for the rest. */
export function directorySearch(
  directory: DirectoryConfig,
): Pick<DirectoryConfig, "baseDn"> & {
  userFilter: string;
  listFilter: string;
  attributes: DirectoryAttributes;
} {
  const kind = DIRECTORY_KINDS[directory.kind];
  const attributes = { ...kind.attributes };
  for (const [name, value] of Object.entries(directory.attributeSettings)) {
    const key = name as keyof DirectoryAttributes;
    const fromOus = (key === "dept" || key === "deptDetail") && value.toLowerCase() === "ou";
    (attributes as Record<string, string | null>)[key] = fromOus ? null : value;
  }
  return {
    baseDn: directory.baseDn,
    userFilter: directory.userFilter ?? kind.userFilter,
    listFilter: directory.listFilter ?? kind.listFilter,
    attributes,
  };
}

/** An LDAP attribute name (or OID): letters, digits, `-`, `.`; `;` for options. */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}(;[A-Za-z0-9-]+)*$|^[0-9]+(\.[0-9]+)+$/;
