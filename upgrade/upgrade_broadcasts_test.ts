import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { broadcastText, stripSlashes } from "./upgrade_broadcasts.ts";

Deno.test("stripSlashes: one level of the original's escaping undone, as PHP's stripslashes", () => {
  assertEquals(stripSlashes(String.raw`it\'s \"x\" C:\\dir`), String.raw`it's "x" C:\dir`);
  assertEquals(stripSlashes(String.raw`a\0b`), "a\0b");
  // A lone backslash at the end goes, as in PHP.
  assertEquals(stripSlashes("end\\"), "end");
  assertEquals(stripSlashes("nothing to do"), "nothing to do");
});

Deno.test("broadcastText: the editor's HTML as the text it showed", () => {
  assertEquals(
    broadcastText("<div>明天开会 &amp; '早'</div><div>第二行<br></div>"),
    "明天开会 & '早'\n第二行",
  );
  assertEquals(broadcastText("a<br/>b<BR>c"), "a\nb\nc");
  assertEquals(broadcastText('<p>1 &lt; 2</p><span style="x">&quot;q&quot;</span>'), '1 < 2\n"q"');
  assertEquals(broadcastText("plain"), "plain");
});
