import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { HiddenLine } from "./password_input.ts";

const bytes = (...parts: (string | number)[]) =>
  new Uint8Array(
    parts.flatMap((p) => typeof p === "number" ? [p] : [...new TextEncoder().encode(p)]),
  );

Deno.test("hidden line: Enter ends it, Backspace takes back a whole character, keys are ignored", () => {
  const line = new HiddenLine();
  assertEquals(line.feed(bytes("pässw", 0x7f, "ord😀", 0x7f, 0x7f)), "more");
  // An arrow key (ESC [ D) and a tab are not part of the password.
  assertEquals(line.feed(bytes(0x1b, "[D", "\t", "!", "\r")), "done");
  assertEquals(line.text, "pässor!");
});

Deno.test("hidden line: Ctrl-C, or Ctrl-D on an empty line, interrupt", () => {
  assertEquals(new HiddenLine().feed(bytes("abc", 0x03)), "interrupted");
  assertEquals(new HiddenLine().feed(bytes(0x04)), "interrupted");
  const typed = new HiddenLine();
  assertEquals(typed.feed(bytes("x", 0x04, "y\n")), "done");
  assertEquals(typed.text, "xy");
});
