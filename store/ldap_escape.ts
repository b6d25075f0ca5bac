/**
 * Escaping for LDAP: values placed into search filters (RFC 4515) and into distinguished names
 * (RFC 4514), and reading a DN back into its parts. Every account name typed at the login form
 * goes through {@link escapeFilterValue} before it reaches the directory, so `*` or `)(` cannot
 * widen a search.
 *
 * @module
 */

/**
 * A value for an LDAP filter: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`,
 * `\00` (RFC 4515 §3); everything else, non-ASCII included, stays as UTF-8.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => "\\" + c.charCodeAt(0).toString(16).padStart(2, "0"));
}

/**
 * `template` with every `{account}` replaced by the escaped `account`, e.g.
 * `(&(objectClass=user)(sAMAccountName={account}))`.
 */
export function fillFilter(template: string, account: string): string {
  return template.replaceAll("{account}", escapeFilterValue(account));
}

/**
 * A value for one RDN of a DN (RFC 4514 §2.4): `"`, `+`, `,`, `;`, `<`, `>`, `\` and `=` are
 * backslash-escaped, as are a leading `#` or space and a trailing space; NUL becomes `\00`.
 */
export function escapeDnValue(value: string): string {
  let out = value.replace(/["+,;<>\\=]/g, (c) => "\\" + c).replace(/\0/g, "\\00");
  if (out.startsWith("#") || out.startsWith(" ")) out = "\\" + out;
  if (out.endsWith(" ") && !out.endsWith("\\ ")) out = out.slice(0, -1) + "\\ ";
  return out;
}

/** One attribute of an RDN: its type as written (case kept) and its unescaped value. */
export interface RdnPart {
  type: string;
  value: string;
}

/**
 * The RDNs of a DN, leftmost (the entry itself) first, each as its `type=value` parts (a
 * multi-valued RDN joined by `+` has several). Escapes are undone (`\,`, `\2C`, UTF-8 in hex);
 * throws `SyntaxError` for a DN that is not well formed.
 */
export function parseDn(dn: string): RdnPart[][] {
  const rdns: RdnPart[][] = [];
  let parts: RdnPart[] = [];
  let type = "";
  let bytes: number[] = [];
  let inValue = false;
  const encoder = new TextEncoder();
  const finishPart = () => {
    const value = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
    if (type.trim() === "") throw new SyntaxError(`not a DN: ${JSON.stringify(dn)}`);
    parts.push({ type: type.trim(), value: value.replace(/^ +| +$/g, "") });
    type = "";
    bytes = [];
    inValue = false;
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (!inValue) {
      if (c === "=") inValue = true;
      else if (c === "," || c === "+" || c === ";") {
        throw new SyntaxError(`not a DN: ${JSON.stringify(dn)}`);
      } else type += c;
      continue;
    }
    if (c === "\\") {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (i + 1 < dn.length) {
        bytes.push(...encoder.encode(dn[i + 1]));
        i += 1;
      } else throw new SyntaxError(`not a DN: ${JSON.stringify(dn)}`);
    } else if (c === "+") {
      finishPart();
    } else if (c === "," || c === ";") {
      finishPart();
      rdns.push(parts);
      parts = [];
    } else bytes.push(...encoder.encode(c));
  }
  if (inValue) {
    finishPart();
    rdns.push(parts);
  } else if (type.trim() !== "" || rdns.length > 0) {
    throw new SyntaxError(`not a DN: ${JSON.stringify(dn)}`);
  }
  return rdns;
}

/**
 * The organisational units above an entry, top level first: for
 * `cn=Li Lei,ou=Web,ou=R&D,dc=example,dc=com` that is `["R&D", "Web"]`. An `ou` that is the
 * entry's own RDN (an OU object) does not count.
 */
export function ouPath(dn: string): string[] {
  return parseDn(dn).slice(1).filter((rdn) => rdn.length === 1 && /^ou$/i.test(rdn[0].type))
    .map((rdn) => rdn[0].value).reverse();
}
