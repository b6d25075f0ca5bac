import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { openTestStores } from "../tests/support/stores.ts";
import { archived, JAN_LAST } from "./archive_contract.ts";
import { MysqlArchive } from "./archive_mysql.ts";
import { MysqlSeqEpochs } from "./seq_epochs_mysql.ts";

Deno.test("MysqlSeqEpochs starts at 0 on a fresh installation and only ever goes up", async () => {
  const stores = await openTestStores();
  try {
    const epochs = new MysqlSeqEpochs(stores.pool);
    assertEquals(await epochs.next(0), 0);
    assertEquals(await epochs.next(0), 1);
    assertEquals(await epochs.next(7), 7, "at least the epoch Redis named, plus one");
    assertEquals(await epochs.next(3), 8, "never back");
    // Another node (its own instance, same database) continues the same counter.
    const other = new MysqlSeqEpochs(stores.pool);
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? epochs : other).next(0)),
    );
    assertEquals(racing.sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => 9 + i));
    await rejects(epochs.next(-1), RangeError);
  } finally {
    await stores.cleanup();
  }
});

Deno.test("MysqlSeqEpochs starts at 1 when the archive already holds messages (an upgrade)", async () => {
  const stores = await openTestStores();
  try {
    await new MysqlArchive(stores.pool).saveMessages([archived(57, JAN_LAST)]);
    assertEquals(await new MysqlSeqEpochs(stores.pool).next(0), 1);
  } finally {
    await stores.cleanup();
  }
});
