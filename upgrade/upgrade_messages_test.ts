import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { legacyMid, phpText } from "./upgrade_messages.ts";

Deno.test("phpText: the original's display encoding back to the text that was typed", () => {
  assertEquals(phpText("a[\\br]b[\\br]"), "a\nb\n");
  assertEquals(
    phpText("&lt;script&gt;x&lt;/script&gt; &amp;amp; &quot;q&quot; &#39;s&#39;"),
    "<script>x</script> &amp; \"q\" 's'",
  );
  assertEquals(phpText("&#x1F600; &#128512; &nbsp;"), "😀 😀  ");
  // What is not an entity (or not a character) stays as it was; smileys are kept.
  assertEquals(
    phpText("&bogus; &#xD800; &#0; [\\face12] a & b"),
    "&bogus; &#xD800; &#0; [\\face12] a & b",
  );
});

Deno.test("legacyMid: time first, the same row always gets the same mid", () => {
  const mid = legacyMid("webchat_message201601", 7, 1452427200);
  assert(/^[0-9a-f]{24}$/.test(mid));
  assertEquals(mid.slice(0, 12), (1452427200 * 1000).toString(16).padStart(12, "0"));
  assertEquals(legacyMid("webchat_message201601", 7, 1452427200), mid);
  assert(legacyMid("webchat_message201602", 7, 1452427200) !== mid);
});
