import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SeqOrder } from "./seq_order.ts";

Deno.test("SeqOrder: a message ahead of a missing one waits for it, then both go in seq order", async () => {
  const order = new SeqOrder(1000, 2000);
  const out: number[] = [];
  const run = (seq: number) => order.run("c", seq, () => out.push(seq));
  await run(1);
  const three = run(3);
  const four = run(4);
  assertEquals(out, [1]);
  assertEquals(order.holding, 1);
  await run(2);
  await Promise.all([three, four]);
  assertEquals(out, [1, 2, 3, 4]);
  assertEquals(order.holding, 0);
  // Another chat is not held up by this one.
  await order.run("d", 7, () => out.push(70));
  assertEquals(out.at(-1), 70);
});

Deno.test("SeqOrder: a gap that is never filled holds a message only briefly", async () => {
  const order = new SeqOrder(50, 2000);
  const out: number[] = [];
  await order.run("c", 1, () => out.push(1));
  const started = Date.now();
  await Promise.all([order.run("c", 4, () => out.push(4)), order.run("c", 3, () => out.push(3))]);
  const waited = Date.now() - started;
  assertEquals(out, [1, 3, 4]);
  if (waited < 40 || waited > 1000) throw new Error(`held ${waited} ms`);
  // A late one still goes out (a client that has it ignores it by seq).
  await order.run("c", 2, () => out.push(2));
  assertEquals(out, [1, 3, 4, 2]);
});

Deno.test("SeqOrder: a chat quiet for a while waits for nothing", async () => {
  const order = new SeqOrder(1000, 30);
  const out: number[] = [];
  await order.run("c", 1, () => out.push(1));
  await new Promise((r) => setTimeout(r, 60));
  await order.run("c", 9, () => out.push(9));
  assertEquals(out, [1, 9]);
});

Deno.test("SeqOrder: a message of a chat not heard lately may wait briefly for the one before it", async () => {
  const order = new SeqOrder(1000, 2000);
  const out = [] as number[];
  // Sent here (acked at once) while seq 4 is on its way from another node.
  const five = order.run("c", 5, () => out.push(5), 1000);
  assertEquals(out.length, 0);
  await order.run("c", 4, () => out.push(4));
  await five;
  assertEquals(out, [4, 5]);
  // Nothing before it comes: it goes after the short wait, not the full hold.
  const started = Date.now();
  await order.run("quiet", 9, () => out.push(9), 30);
  const waited = Date.now() - started;
  assertEquals(out.at(-1), 9);
  if (waited < 20 || waited > 900) throw new Error(`waited ${waited} ms`);
  // The first message of a chat (seq 1) has nothing to wait for.
  const first = Date.now();
  await order.run("new", 1, () => out.push(1), 1000);
  if (Date.now() - first > 100) throw new Error("seq 1 waited");
});
