import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { hashPassword, legacyPasswordHash, verifyPassword } from "./password.ts";

Deno.test("scrypt hashes are salted and verify", async () => {
  const a = await hashPassword("correct horse");
  const b = await hashPassword("correct horse");
  assert(a !== b, "same hash twice: no salt");
  assert(a.startsWith("scrypt$") && a.length < 255);
  assertEquals(await verifyPassword("correct horse", a), { ok: true, needsRehash: false });
  assertEquals(await verifyPassword("Correct horse", a), { ok: false, needsRehash: false });
  assertEquals(await verifyPassword("", a), { ok: false, needsRehash: false });
});

Deno.test("the original's md5 scheme is accepted once and flagged for re-hashing", async () => {
  // Reference §8.2: for "abc", p = "cba"; code = floor(ord('a') % 10 / 2) = floor(7/2) = 3;
  // strlen 3 is not > 6, so p stays "cba"; md5(md5("cba") . '*^_^||').
  const legacy = legacyPasswordHash("abc");
  assert(/^[0-9a-f]{32}$/.test(legacy));
  assertEquals(await verifyPassword("abc", legacy), { ok: true, needsRehash: true });
  assertEquals(await verifyPassword("abd", legacy), { ok: false, needsRehash: false });
});

Deno.test("garbage stored hashes never verify", async () => {
  for (const stored of ["", "scrypt$1$2", "scrypt$x$y$z$!!$!!", "plaintext"]) {
    assertEquals((await verifyPassword("plaintext", stored)).ok, false);
  }
});

Deno.test("fifty hashes at once run a few at a time: the process's peak memory stays small", {
  ignore: Deno.build.os !== "linux", // VmHWM
}, async () => {
  const script = new URL("./testdata/hash_burst.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const run = JSON.parse(new TextDecoder().decode(stdout));
  assert(run.maxRunning <= run.slots, `${run.maxRunning} hashes ran at once (${run.slots} slots)`);
  // Unbounded, fifty 16 MiB scrypt runs at once peaked about 800 MiB above the start.
  const grewMiB = (run.after - run.before) / 1024;
  assert(grewMiB < 120, `peak memory grew ${grewMiB.toFixed(0)} MiB during fifty hashes`);
});
