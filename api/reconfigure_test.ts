import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { defaultConfig, loadConfig } from "../config/mod.ts";
import { SETTING_NAMES } from "../config/load_config.ts";
import { KNOWN_SETTINGS, reconfigure } from "./reconfigure.ts";

Deno.test("reconfigure: every setting is either applied by a reload or named as needing a restart", () => {
  // A setting added without deciding which it is fails here (decide in reconfigure.ts).
  assertEquals([...KNOWN_SETTINGS].sort(), [...SETTING_NAMES].sort());
});

Deno.test("reconfigure: changes in place what a reload applies, reports the rest", () => {
  const loaded = defaultConfig();
  const live = { ...loaded, limits: { ...loaded.limits, maxConnections: 800 } };
  const login = live.login; // the stores hold this very object
  const next = loadConfig({
    file: {
      port: 9999,
      origins: ["https://chat.example.com"],
      login: { maxFailures: 9 },
      limits: { messageChars: 10, maxConnections: 20_000, frameBytes: 2048 },
      log: { level: "debug" },
    },
  });
  const report = reconfigure(live, loaded, next);
  assertEquals(report.applied, [
    "origins",
    "limits.messageChars",
    "login.maxFailures",
    "log.level",
  ]);
  assertEquals(report.needRestart, ["port", "limits.frameBytes", "limits.maxConnections"]);
  assertEquals(live.allowedOrigins, ["https://chat.example.com"]);
  assertEquals([live.limits.messageChars, login.maxFailures, live.log.level], [10, 9, "debug"]);
  // What needs a restart is left as it runs (the cap the server computed included).
  assertEquals([live.port, live.limits.maxConnections, live.limits.frameBytes], [8080, 800, 65536]);
  // A second reload of the same file changes nothing more.
  assertEquals(reconfigure(live, loaded, next).applied, []);
  assert(reconfigure(live, loaded, next).needRestart.includes("port"));
});
