import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Group } from "../store/groups.ts";
import { checkTitle, type GroupsetRequest, planGroupset } from "./group_rules.ts";

const group: Group = {
  chatid: "alice-1",
  title: "team",
  owner: "alice",
  ctime: 1,
  mtime: 1,
  version: 3,
  members: ["alice", "bob", "carol", "dave"].map((accountid, i) => ({ accountid, joinedMs: i })),
};

/** The error code of a refused plan, or "ok". */
const code = (plan: ReturnType<typeof planGroupset>) => "info" in plan ? plan.info : "ok";

const ask = (over: Partial<GroupsetRequest>): GroupsetRequest => ({
  chatid: "alice-1",
  idOwner: "alice",
  actor: "alice",
  members: [],
  title: "",
  maxMembers: 5,
  ...over,
});

Deno.test("creating: the creator owns it and is a member, with at least one other", () => {
  assertEquals(planGroupset(null, ask({ members: ["bob", "carol"], title: "new" })), {
    kind: "create",
    members: ["alice", "bob", "carol"],
    title: "new",
  });
  assertEquals(planGroupset(null, ask({ members: ["bob", "alice"] })), {
    kind: "create",
    members: ["alice", "bob"],
    title: "",
  });
  assertEquals(planGroupset(null, ask({ members: ["alice"] })), {
    info: "bad_request",
    msg: "a group needs at least one member besides you",
  });
  assertEquals(code(planGroupset(null, ask({ actor: "bob", members: ["carol"] }))), "forbidden");
  assertEquals(
    planGroupset(null, ask({ members: ["b1", "b2", "b3", "b4", "b5"] })),
    { info: "bad_request", msg: "a group has at most 5 members" },
  );
});

Deno.test("changing: members add, the owner removes, anyone leaves", () => {
  const all = ["alice", "bob", "carol", "dave"];
  assertEquals(planGroupset(group, ask({ actor: "bob", members: [...all, "erin"] })), {
    kind: "change",
    add: ["erin"],
    remove: [],
  });
  assertEquals(planGroupset(group, ask({ actor: "bob", members: ["alice", "bob", "carol"] })), {
    info: "forbidden",
    msg: "only the owner of the group (alice) may remove other members",
  });
  assertEquals(planGroupset(group, ask({ members: ["alice", "bob"] })), {
    kind: "change",
    add: [],
    remove: ["carol", "dave"],
  });
  assertEquals(planGroupset(group, ask({ actor: "carol", members: ["alice", "bob", "dave"] })), {
    kind: "change",
    add: [],
    remove: ["carol"],
  });
  // The owner leaves: the longest-standing remaining member owns the group.
  assertEquals(planGroupset(group, ask({ members: ["dave", "carol", "bob"] })), {
    kind: "change",
    add: [],
    remove: ["alice"],
    owner: "bob",
  });
  assertEquals(planGroupset(group, ask({ actor: "erin", members: [...all, "erin"] })), {
    info: "forbidden",
    msg: "you are not a member of alice-1",
  });
  assertEquals(planGroupset(group, ask({ members: all })), { kind: "none" });
  assertEquals(planGroupset(group, ask({ members: all, title: "team" })), { kind: "none" });
  assertEquals(planGroupset(group, ask({ members: all, title: "renamed" })), {
    kind: "change",
    add: [],
    remove: [],
    title: "renamed",
  });
  assertEquals(code(planGroupset(group, ask({ members: [...all, "e", "f"] }))), "bad_request");
});

Deno.test("malformed lists and titles are bad requests", () => {
  assertEquals(planGroupset(group, ask({ members: ["alice", "alice", "bob"] })), {
    info: "bad_request",
    msg: "members lists alice twice",
  });
  assertEquals(code(planGroupset(group, ask({ members: ["alice", "bob-b"] }))), "bad_request");
  assertEquals(code(planGroupset(group, ask({ members: ["alice"], title: " " }))), "bad_request");
  assertEquals(checkTitle("x".repeat(101)), "title must be at most 100 characters");
  assertEquals(checkTitle("😀".repeat(100)), null);
  assertEquals(checkTitle("two\nlines"), "title must be one line of text");
  assertEquals(checkTitle(`<b>R&D</b> '; DROP TABLE webchat_group; --`), null);
});
