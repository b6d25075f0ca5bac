/**
 * A real OpenLDAP `slapd` of a test's own: its config, database and TLS certificates in a
 * temporary folder, listening on `ldap://` and `ldaps://` ports of 127.0.0.1, filled with a small
 * company (see {@link ORGANISATION}). Tests change the directory through {@link Slapd.admin}
 * (the root DN over LDAP), as an administrator would.
 *
 * @module
 */
import { Client } from "ldapts";
import { readLines } from "./read_lines.ts";
import { freePort } from "./server_process.ts";

/** The base DN of the test company. */
export const BASE_DN = "dc=example,dc=com";
/** The service account webChat searches with, and its password. */
export const READER_DN = `cn=reader,${BASE_DN}`;
export const READER_PASSWORD = "reader-secret";
const ROOT_DN = `cn=admin,${BASE_DN}`;
const ROOT_PASSWORD = "root-secret";

/** One person of the test company: `ous` top level first; the password is `pw-<uid>`. */
export interface Person {
  uid: string;
  cn: string;
  ous: string[];
  mail?: string;
  tel?: string;
}

/**
 * Three departments (R&D with a Web team, Sales, Finance), a dozen people, and one account
 * (`twin`) that exists twice.
 */
export const ORGANISATION: Person[] = [
  { uid: "lilei", cn: "李雷", ous: ["R&D", "Web"], mail: "lilei@example.com", tel: "1001" },
  { uid: "hanmeimei", cn: "韩梅梅", ous: ["Sales"], mail: "hmm@example.com", tel: "1002" },
  { uid: "zhangwei", cn: "张伟", ous: ["R&D"], mail: "zw@example.com" },
  { uid: "wangfang", cn: "王芳", ous: ["Finance"] },
  { uid: "liuyang", cn: "刘洋", ous: ["Sales"] },
  { uid: "chenjing", cn: "陈静", ous: ["R&D", "Web"] },
  { uid: "yangmin", cn: "杨敏", ous: ["Finance"] },
  { uid: "zhaoli", cn: "赵丽", ous: ["Sales"] },
  { uid: "huangqiang", cn: "黄强", ous: ["R&D"] },
  { uid: "zhoujie", cn: "周杰", ous: ["Finance"] },
  { uid: "wuxia", cn: "吴霞", ous: ["Sales"] },
  { uid: "xuming", cn: "徐明", ous: ["R&D"] },
  { uid: "twin", cn: "Twin One", ous: ["Sales"] },
  { uid: "twin", cn: "Twin Two", ous: ["Finance"] },
];

/** The DN of a person of {@link ORGANISATION} (`cn` is unique there). */
export function personDn(person: Pick<Person, "cn" | "ous">): string {
  return [`cn=${person.cn}`, ...[...person.ous].reverse().map((ou) => `ou=${ou}`), BASE_DN]
    .join(",");
}

/** A running slapd. */
export interface Slapd {
  /** `ldap://127.0.0.1:<port>` (plain, StartTLS offered). */
  url: string;
  /** `ldaps://127.0.0.1:<port>`. */
  ldapsUrl: string;
  /** PEM of the CA that signed the server's certificate. */
  caFile: string;
  /** PEM of another CA (for the bad-CA test). */
  otherCaFile: string;
  /** Everything slapd wrote. */
  output: string[];
  /** A client bound as the root DN; closed by {@link Slapd.cleanup}. */
  admin(): Promise<Client>;
  /** Stops slapd and removes its folder. */
  cleanup(): Promise<void>;
}

/** Starts slapd with {@link ORGANISATION} and waits until it answers. */
export async function startSlapd(): Promise<Slapd> {
  const dir = await Deno.makeTempDir({ prefix: "webchat-slapd-" });
  const output: string[] = [];
  const clients: Client[] = [];
  let child: Deno.ChildProcess | undefined;
  try {
    await makeCertificates(dir);
    await Deno.mkdir(`${dir}/db`);
    const conf = `${dir}/slapd.conf`;
    await Deno.writeTextFile(conf, slapdConf(dir));
    await Deno.writeTextFile(`${dir}/data.ldif`, organisationLdif());
    await run(sbin("slapadd"), ["-f", conf, "-l", `${dir}/data.ldif`]);
    const port = freePort();
    const tlsPort = freePort();
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
    child = new Deno.Command(sbin("slapd"), {
      args: ["-f", conf, "-h", `${url}/ ${ldapsUrl}/`, "-d", "0"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    readLines(child.stdout, (line) => output.push(line));
    readLines(child.stderr, (line) => output.push(line));
    const deadline = Date.now() + 20_000;
    while (true) {
      const probe = new Client({ url, connectTimeout: 1000, timeout: 1000 });
      try {
        await probe.bind(ROOT_DN, ROOT_PASSWORD);
        await probe.unbind();
        break;
      } catch (error) {
        await probe.unbind().catch(() => {});
        if (Date.now() > deadline) {
          throw new Error(`slapd did not start: ${error}\n${output.join("\n")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const running = child;
    return {
      url,
      ldapsUrl,
      caFile: `${dir}/ca.pem`,
      otherCaFile: `${dir}/other-ca.pem`,
      output,
      async admin() {
        const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
        await client.bind(ROOT_DN, ROOT_PASSWORD);
        clients.push(client);
        return client;
      },
      async cleanup() {
        await Promise.allSettled(clients.map((client) => client.unbind()));
        try {
          running.kill("SIGTERM");
        } catch { /* already gone */ }
        await running.status;
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  } catch (error) {
    try {
      child?.kill("SIGKILL");
      await child?.status;
    } catch { /* not started */ }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

function slapdConf(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
# Lets a DN with an empty password bind as anonymous ("unauthenticated bind"), as some
# directories do: webChat must never send such a bind, and the test proves it.
allow bind_anon_dn
database mdb
maxsize 67108864
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by dn.exact="${READER_DN}" read
  by self read
  by * none
`;
}

function organisationLdif(): string {
  const entries = [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${READER_DN}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: ${READER_PASSWORD}`,
  ];
  const ous = new Set<string>();
  for (const person of ORGANISATION) {
    for (let i = 1; i <= person.ous.length; i++) ous.add(person.ous.slice(0, i).join("\0"));
  }
  for (const path of [...ous].sort((a, b) => a.length - b.length)) {
    const parts = path.split("\0");
    const dn = [...parts].reverse().map((ou) => `ou=${ou}`).join(",") + `,${BASE_DN}`;
    entries.push(`dn: ${dn}\nobjectClass: organizationalUnit\nou: ${parts.at(-1)}`);
  }
  for (const person of ORGANISATION) entries.push(personLdif(person));
  return entries.join("\n\n") + "\n";
}

/** The LDIF of a person (base64 where LDIF needs it). */
function personLdif(person: Person): string {
  const lines = [
    `dn:: ${btoa(String.fromCharCode(...new TextEncoder().encode(personDn(person))))}`,
    "objectClass: inetOrgPerson",
    `uid: ${person.uid}`,
    `cn:: ${b64(person.cn)}`,
    `sn:: ${b64(person.cn)}`,
    `userPassword: pw-${person.uid}`,
  ];
  if (person.mail) lines.push(`mail: ${person.mail}`);
  if (person.tel) lines.push(`telephoneNumber: ${person.tel}`);
  return lines.join("\n");
}

function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** The attributes of a new person entry, for `admin().add`. */
export function personAttributes(person: Person): Record<string, string | string[]> {
  const attributes: Record<string, string | string[]> = {
    objectClass: "inetOrgPerson",
    uid: person.uid,
    cn: person.cn,
    sn: person.cn,
    userPassword: `pw-${person.uid}`,
  };
  if (person.mail) attributes.mail = person.mail;
  if (person.tel) attributes.telephoneNumber = person.tel;
  return attributes;
}

/** A test CA, a server certificate it signs for 127.0.0.1, and a second, unrelated CA. */
async function makeCertificates(dir: string): Promise<void> {
  const ssl = (...args: string[]) => run("openssl", args, dir);
  for (const ca of ["ca", "other-ca"]) {
    await ssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=webChat test ${ca}`,
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.pem`,
    );
  }
  await ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  );
  await Deno.writeTextFile(`${dir}/san.ext`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await ssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.pem",
  );
}

async function run(program: string, args: string[], cwd?: string): Promise<void> {
  const result = await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!result.success) {
    const text = new TextDecoder().decode(result.stderr);
    throw new Error(`${program} ${args.join(" ")} failed: ${text}`);
  }
}

/** Debian puts slapd in /usr/sbin, which a non-root PATH may lack. */
function sbin(program: string): string {
  try {
    Deno.statSync(`/usr/sbin/${program}`);
    return `/usr/sbin/${program}`;
  } catch {
    return program;
  }
}
