/**
 * `chat start --demo`: a small organisation to click around in at once: departments, a dozen
 * people sharing one printed password, and a few one-to-one chats of the last days, queued as
 * the gateway queues messages (so the archive worker files them, with their seq, in history
 * and in everybody's recent contacts).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { newMid } from "../queue/message.ts";
import type { Backend } from "../store/backend.ts";
import { generatePassword, hashPassword } from "../store/password.ts";
import type { User } from "../store/users.ts";

/** [accountid, name, department path]. */
const PEOPLE: [string, string, string][] = [
  ["ada", "Ada Lovelace", "Acme,Management"],
  ["charles", "Charles Babbage", "Acme,Management"],
  ["grace", "Grace Hopper", "Acme,R&D,Backend"],
  ["linus", "Linus Torvalds", "Acme,R&D,Backend"],
  ["margaret", "Margaret Hamilton", "Acme,R&D,Backend"],
  ["tim", "Tim Berners-Lee", "Acme,R&D,Frontend"],
  ["brendan", "Brendan Eich", "Acme,R&D,Frontend"],
  ["radia", "Radia Perlman", "Acme,Operations"],
  ["ken", "Ken Thompson", "Acme,Operations"],
  ["barbara", "Barbara Liskov", "Acme,Sales"],
  ["hedy", "Hedy Lamarr", "Acme,Sales"],
  ["alan", "Alan Turing", "Acme,Support"],
];

/** [from, to, text, hours ago]: a few conversations people can scroll back through. */
const CHATS: [string, string, string, number][] = [
  ["ada", "charles", "Morning! Did the board like the engine numbers?", 50],
  ["charles", "ada", "They did. They want the analytical one next quarter.", 49.9],
  ["ada", "charles", "Then I'll write up the notes on Bernoulli numbers tonight.", 49.8],
  ["grace", "linus", "The nightly build broke on the new compiler flags.", 30],
  ["linus", "grace", "My fault, reverting now.", 29.9],
  ["grace", "linus", "Thanks. Let's pair on it after lunch?", 29.8],
  ["linus", "grace", "Deal. 14:00 in the small room.", 29.7],
  ["margaret", "grace", "Can you review the retry logic before the release?", 20],
  ["grace", "margaret", "Yes, send me the branch. Edge cases first 🙂", 19.5],
  ["tim", "brendan", "Is the new page ready for a demo tomorrow?", 8],
  ["brendan", "tim", "Almost: the links work, the styles need a day.", 7.9],
  ["radia", "ken", "The spanning tree on floor 3 is flapping again.", 5],
  ["ken", "radia", "On it. I'll check the switch logs.", 4.9],
  ["barbara", "hedy", "The customer asked about frequency hopping in the new radios.", 3],
  ["hedy", "barbara", "I can explain it on a call. Thursday?", 2.9],
  ["alan", "ada", "A ticket asks whether machines can think. Who answers that?", 1],
  ["ada", "alan", "You, I'd say. Take your time.", 0.9],
];

/** What was seeded: the demo accounts and their shared password (null: seeded before). */
export interface DemoSeed {
  accounts: string[];
  departments: number;
  password: string | null;
  messages: number;
}

/**
 * Seeds the demo into the configured backend, once: when the demo accounts exist already it
 * adds nothing. Refuses an installation that has other accounts besides `admin`.
 */
export async function seedDemo(
  backend: Backend,
  config: ResolvedConfig,
  log: (line: string) => void,
): Promise<DemoSeed> {
  const ids = PEOPLE.map(([id]) => id);
  const present = await backend.users.existing(ids);
  const departments = new Set(PEOPLE.map(([, , path]) => path)).size;
  if (present.size === ids.length) {
    return { accounts: ids, departments, password: null, messages: 0 };
  }
  const others = (await backend.users.accounts({ limit: 100 }))
    .filter((a) => a.accountid !== "admin" && !ids.includes(a.accountid));
  if (others.length > 0) {
    throw new Error(
      "--demo seeds only an installation without accounts of its own (this one has " +
        `${others[0].accountid}${others.length > 1 ? " and others" : ""}); use another --data`,
    );
  }
  const password = generatePassword(config.password.minLength);
  const hash = await hashPassword(password);
  await backend.users.addMany(
    PEOPLE.filter(([id]) => !present.has(id)).map(([accountid, username, path]) => ({
      user: demoUser(accountid, username, path),
      passwordHash: hash,
    })),
  );
  const now = Math.floor(Date.now() / 1000);
  for (const [from, to, text, hoursAgo] of CHATS) {
    const members = [from, to].sort();
    await backend.producer.enqueue({
      mid: newMid((now - hoursAgo * 3600) * 1000),
      chatid: members.join("--"),
      fromuser: from,
      message: text,
      type: 0,
      fileId: "",
      time: Math.round(now - hoursAgo * 3600),
      cid: "",
      members,
    });
  }
  await seedDemoGroups(backend, ids);
  log(`demo: added ${ids.length - present.size} people and ${CHATS.length} messages`);
  return { accounts: ids, departments, password, messages: CHATS.length };
}

function demoUser(accountid: string, username: string, path: string): User {
  return {
    accountid,
    username,
    dept: path.split(",").at(-1)!,
    deptDetail: path,
    email: `${accountid}@acme.example`,
    tel: "",
    mobile: "",
  };
}

/**
 * DEMO GROUP HOOK (groups: issue 6). Groups do not exist in this version. Once they do, create
 * here a group "R&D" of grace, linus, margaret, tim and brendan, owned by grace, with a few
 * messages, through the groups' own port (not by writing their tables), so the demo shows a
 * group chat too.
 */
function seedDemoGroups(_backend: Backend, _people: string[]): Promise<void> {
  return Promise.resolve();
}
