import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { formatLine, LogWriter, parseLogLevel } from "./log.ts";

Deno.test("log: lines below the level are dropped; WARNING: lines are warnings", () => {
  const lines: string[] = [];
  const writer = new LogWriter({ level: "warn", json: false }, (text) => lines.push(text));
  writer.log("started");
  writer.log("details", "debug");
  writer.log("WARNING: redis has no persistence");
  writer.log("archive worker: crashed", "error");
  assertEquals(lines.map((l) => l.replace(/^\S+ /, "")), [
    "WARNING: redis has no persistence",
    "ERROR archive worker: crashed",
  ]);
  writer.configure({ level: "debug", json: true });
  writer.log("archive worker: batch of 3", "debug");
  const parsed = JSON.parse(lines.at(-1)!);
  assertEquals(
    { ...parsed, time: typeof parsed.time },
    {
      time: "string",
      level: "debug",
      msg: "archive worker: batch of 3",
      component: "archive worker",
    },
  );
});

Deno.test("log: text lines keep the time first, info lines untagged", () => {
  const at = new Date("2026-01-02T03:04:05.000Z");
  assertEquals(
    formatLine("webChat listening", "info", false, at),
    "2026-01-02T03:04:05.000Z webChat listening",
  );
  assertEquals(formatLine("x", "error", false, at), "2026-01-02T03:04:05.000Z ERROR x");
  // A JSON line is one line whatever the text holds.
  assertEquals(formatLine('a\n"b"', "info", true, at).includes("\n"), false);
  assertEquals(parseLogLevel(" Warn "), "warn");
  throws(() => parseLogLevel("verbose"), /debug, info, warn, error/);
});
