import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { errorFrame, parseClientFrame } from "./protocol.ts";

Deno.test("valid frames parse with defaults", () => {
  assertEquals(parseClientFrame(`{"type":"login","clientName":"alice"}`), {
    type: "login",
    clientName: "alice",
  });
  assertEquals(parseClientFrame(`{"type":"say","chatid":"a--b","content":"hi"}`), {
    type: "say",
    chatid: "a--b",
    content: "hi",
    msgType: "text",
    cid: "",
    fileId: "",
    replyTo: "",
  });
  assertEquals(parseClientFrame(`{"type":"say","chatid":"a--b","content":"x","msgType":""}`), {
    type: "say",
    chatid: "a--b",
    content: "x",
    msgType: "text",
    cid: "",
    fileId: "",
    replyTo: "",
  });
  assertEquals(parseClientFrame(`{"type":"read","chatid":"a--b","seq":3}`), {
    type: "read",
    chatid: "a--b",
    seq: 3,
  });
  assertEquals(parseClientFrame(`{"type":"recall","chatid":"a--b","mid":"m","cid":"c"}`), {
    type: "recall",
    chatid: "a--b",
    mid: "m",
    cid: "c",
  });
  assertEquals(parseClientFrame(`{"type":"edit","chatid":"a--b","mid":"m","content":"t"}`), {
    type: "edit",
    chatid: "a--b",
    mid: "m",
    content: "t",
    cid: "",
  });
  assertEquals(parseClientFrame(`{"type":"typing","chatid":"a--b"}`), {
    type: "typing",
    chatid: "a--b",
  });
  assertEquals(parseClientFrame(`{"type":"ping"}`), { type: "ping" });
});

Deno.test("bad frames give bad_request with the reason and keep the cid", () => {
  const cases: [string, RegExp, string?][] = [
    ["not json", /not valid JSON/],
    ["[1,2]", /JSON object/],
    ["null", /JSON object/],
    [`{"type":"nope","cid":"c1"}`, /unknown frame type/, "c1"],
    [`{"chatid":"a--b"}`, /needs a type/],
    [`{"type":"login"}`, /clientName/],
    [`{"type":"say","chatid":1,"content":"x","cid":"c2"}`, /chatid/, "c2"],
    [`{"type":"say","chatid":"a--b","content":["x"],"cid":"c3"}`, /content/, "c3"],
    [`{"type":"say","chatid":"a--b","content":"x","msgType":"video","cid":"c4"}`, /msgType/, "c4"],
    [`{"type":"say","chatid":"a--b","content":"x","cid":7}`, /cid/],
    [
      `{"type":"say","chatid":"a--b","content":"x","cid":"${"c".repeat(65)}"}`,
      /cid/,
      "c".repeat(65),
    ],
    [`{"type":"read","chatid":"a--b","seq":-1}`, /seq/],
    [`{"type":"read","chatid":"a--b","seq":"2"}`, /seq/],
  ];
  for (const [text, pattern, cid] of cases) {
    const result = parseClientFrame(text);
    if (!("info" in result)) throw new Error(`accepted ${text}`);
    assertEquals(result.info, "bad_request");
    if (!pattern.test(result.msg)) throw new Error(`${text}: message "${result.msg}"`);
    assertEquals(result.cid, cid?.slice(0, 64));
  }
});

Deno.test("a type that is an object with its own toString is refused, not thrown", () => {
  for (const text of [`{"type":{"toString":1}}`, `{"type":{"valueOf":1,"toString":1}}`]) {
    const result = parseClientFrame(text);
    assertEquals(result, { info: "bad_request", msg: "unknown frame type (an object)" });
  }
  assertEquals(parseClientFrame(`{"type":["say"],"cid":"c"}`), {
    info: "bad_request",
    msg: "unknown frame type (an array)",
    cid: "c",
  });
});

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  "type",
  "cid",
  "chatid",
  "content",
  "msgType",
  "fileId",
  "seq",
  "clientName",
  "__proto__",
  "constructor",
  "toString",
  "valueOf",
  "toJSON",
];
const TYPES = ["say", "login", "read", "ping", "pong", "broadcast", "", "__proto__", "toString"];

/** A random JSON text: odd numbers, nesting, arrays, keys that shadow Object's methods. */
function oddJson(random: () => number, depth = 0): string {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const roll = random();
  if (depth > 3 || roll < 0.3) {
    return pick([
      "1e999",
      "-1e999",
      "-0",
      "9007199254740993",
      "1.5",
      "-1",
      "0",
      "true",
      "false",
      "null",
      `"a--b"`,
      `"x"`,
      `""`,
      `"\\ud800"`,
      JSON.stringify("y".repeat(70)),
      JSON.stringify(pick(TYPES)),
    ]);
  }
  if (roll < 0.45) {
    return `[${
      Array.from({ length: Math.floor(random() * 3) }, () => oddJson(random, depth + 1))
    }]`;
  }
  const fields = Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
    const key = pick(KEYS);
    const value = key === "type" && random() < 0.6
      ? JSON.stringify(pick(TYPES))
      : oddJson(random, depth + 1);
    return `${JSON.stringify(key)}:${value}`;
  });
  return `{${fields.join(",")}}`;
}

Deno.test("the parser never throws on odd JSON (fuzz, 20,000 frames)", () => {
  const random = prng(20261127);
  const texts = [
    "[".repeat(5000) + "]".repeat(5000),
    `{"a":`.repeat(3000) + "1" + "}".repeat(3000),
    `{"type":"say","chatid":"a--b","content":"x","__proto__":{"cid":"polluted"}}`,
    `{"__proto__":{"type":"say"}}`,
    `{"type":"read","chatid":"a--b","seq":1e999}`,
    `{"type":"read","chatid":"a--b","seq":9007199254740993}`,
  ];
  for (let i = 0; i < 20_000; i++) texts.push(oddJson(random));
  for (const text of texts) {
    let result;
    try {
      result = parseClientFrame(text);
      errorFrame({ info: "bad_request", msg: "x" });
      JSON.stringify(result);
    } catch (error) {
      throw new Error(`threw on ${text.slice(0, 200)}: ${error}`);
    }
    if ("info" in result) {
      assertEquals(typeof result.msg, "string");
      if (result.cid !== undefined) assertEquals(typeof result.cid, "string");
      continue;
    }
    // Whatever is accepted has exactly the types the handlers rely on.
    if (result.type === "say") {
      for (const field of [result.chatid, result.content, result.cid, result.fileId]) {
        assertEquals(typeof field, "string", text);
      }
    }
    if (result.type === "read") {
      assertEquals(typeof result.chatid, "string", text);
      if (result.seq !== null) assertEquals(Number.isSafeInteger(result.seq), true, text);
    }
    if (result.type === "login") assertEquals(typeof result.clientName, "string", text);
  }
  // The prototype of parsed objects is never touched.
  assertEquals(({} as Record<string, unknown>).cid, undefined);
});
