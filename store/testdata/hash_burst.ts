/**
 * For `password_test.ts`: hashes 50 passwords at once in a fresh process and prints the peak
 * resident memory before and after (VmHWM) and the most hashes that ran at the same time.
 */
import { hashLoad, hashPassword } from "../password.ts";

const peakKiB = () => Number(/VmHWM:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))![1]);
await hashPassword("warm up the thread pool and the allocator");
const before = peakKiB();
let maxRunning = 0;
const watch = setInterval(() => maxRunning = Math.max(maxRunning, hashLoad().running), 1);
await Promise.all(Array.from({ length: 50 }, (_, i) => hashPassword(`password ${i}`)));
clearInterval(watch);
console.log(JSON.stringify({ before, after: peakKiB(), maxRunning, slots: hashLoad().slots }));
