/**
 * `chat start --demo`: a small organisation to click around in at once: departments, a dozen
 * people sharing one printed password, a few one-to-one chats of the last days, two groups
 * with their conversations, and a broadcast to everyone, all queued as the gateway queues them
 * (so the archive worker files them, with their seq, in history and in everybody's recent
 * contacts, and the broadcast in the broadcast archive).
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { BROADCAST_CHATID } from "../queue/broadcast.ts";
import { MessageType, newMid } from "../queue/message.ts";
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

/** A group of the demo: its title, owner, members, when it was made and what was said. */
interface DemoGroup {
  /** The chat id's number (`owner-<ms>`, as the page makes one) is its creation time. */
  hoursAgo: number;
  title: string;
  owner: string;
  members: string[];
  /** [from, text, hours ago, mentioned]. */
  messages: [string, string, number, string[]?][];
}

const GROUPS: DemoGroup[] = [
  {
    hoursAgo: 40,
    title: "R&D",
    owner: "grace",
    members: ["grace", "linus", "margaret", "tim", "brendan"],
    messages: [
      ["grace", "Welcome to the R&D group: builds, releases, reviews.", 39.9],
      ["tim", "Demo of the new page tomorrow at 10, everyone welcome.", 8.5],
      ["margaret", "@linus can you look at the flaky test before the release?", 6, ["linus"]],
      ["linus", "Looking now. It was a race in the retry timer.", 5.8],
      ["brendan", "Styles are merged; the page is ready for the demo.", 2],
    ],
  },
  {
    hoursAgo: 12,
    title: "Lunch club",
    owner: "hedy",
    members: ["hedy", "barbara", "alan", "ken", "radia"],
    messages: [
      ["hedy", "Noodles at 12:30?", 11.9],
      ["ken", "In. Radia too, she's in the server room.", 11.8],
      ["alan", "Save me a seat, I'm finishing a ticket.", 11.5],
    ],
  },
];

/** The broadcast: [from, label, subject, text, hours ago]; to everyone else. */
const BROADCAST: [string, string, string, string, number] = [
  "ada",
  "Everyone at Acme",
  "All hands on Friday",
  "Friday at 16:00 in the big room: the quarter's numbers, then cake.",
  3.5,
];

/** What was seeded: the demo accounts and their shared password (null: seeded before). */
export interface DemoSeed {
  accounts: string[];
  departments: number;
  password: string | null;
  messages: number;
  groups: number;
  broadcasts: number;
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
    return { accounts: ids, departments, password: null, messages: 0, groups: 0, broadcasts: 0 };
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
  const groupMessages = await seedDemoGroups(backend, now);
  await seedDemoBroadcast(backend, ids, now);
  log(
    `demo: added ${ids.length - present.size} people, ${CHATS.length} messages, ` +
      `${GROUPS.length} groups with ${groupMessages} messages and a broadcast`,
  );
  return {
    accounts: ids,
    departments,
    password,
    messages: CHATS.length + groupMessages,
    groups: GROUPS.length,
    broadcasts: 1,
  };
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
 * The groups, through the groups' own port (a group made before is left as it is), each with
 * its conversation queued after it was made; answers how many messages were queued.
 */
async function seedDemoGroups(backend: Backend, now: number): Promise<number> {
  let queued = 0;
  for (const group of GROUPS) {
    const atMs = Math.round((now - group.hoursAgo * 3600) * 1000);
    const chatid = `${group.owner}-${atMs}`;
    const made = await backend.groups.create({
      chatid,
      title: group.title,
      owner: group.owner,
      members: group.members,
      atMs,
    });
    if (!made) continue;
    for (const [from, text, hoursAgo, mentions] of group.messages) {
      const time = Math.round(now - hoursAgo * 3600);
      await backend.producer.enqueue({
        mid: newMid(time * 1000),
        chatid,
        fromuser: from,
        message: text,
        type: MessageType.text,
        fileId: "",
        time,
        cid: "",
        members: group.members,
        ...(mentions ? { mentions } : {}),
      });
      queued++;
    }
    // Mentions are counted for whom they name, as the gateway counts one sent while away.
    for (const [, , , mentions] of group.messages) {
      for (const accountid of mentions ?? []) {
        const frame = JSON.stringify({ type: "say", chatid, mention: true });
        await backend.inbox.deliver(chatid, [accountid], [], frame, {
          accountids: [accountid],
          frame,
        });
      }
    }
  }
  return queued;
}

/** The broadcast to everyone but its sender, unread for all of them. */
async function seedDemoBroadcast(backend: Backend, people: string[], now: number): Promise<void> {
  const [from, label, title, text, hoursAgo] = BROADCAST;
  const time = Math.round(now - hoursAgo * 3600);
  const recipients = people.filter((id) => id !== from);
  await backend.producer.enqueue({
    mid: newMid(time * 1000),
    chatid: BROADCAST_CHATID,
    fromuser: from,
    message: text,
    type: MessageType.text,
    fileId: "",
    time,
    cid: "",
    members: recipients,
    broadcast: { title, touserTitle: label },
  });
  await backend.inbox.addBroadcastUnread(recipients);
}
