import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseClientFrame } from "./protocol.ts";

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
  });
  assertEquals(parseClientFrame(`{"type":"say","chatid":"a--b","content":"x","msgType":""}`), {
    type: "say",
    chatid: "a--b",
    content: "x",
    msgType: "text",
    cid: "",
    fileId: "",
  });
  assertEquals(parseClientFrame(`{"type":"read","chatid":"a--b","seq":3}`), {
    type: "read",
    chatid: "a--b",
    seq: 3,
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
