/**
 * A process that holds a data folder as a server does (the lock, the pid file) but ignores
 * SIGTERM, for the test of `chat stop`'s last resort. Usage: stubborn_server.ts DATA_DIR
 */
import { lockDataFolder, pidFile } from "../../api/run_files.ts";
import { defaultConfig } from "../../config/mod.ts";

const config = { ...defaultConfig(), dataDir: Deno.args[0] };
const lock = await lockDataFolder(config);
if (!lock) throw new Error("the data folder is locked already");
Deno.writeTextFileSync(pidFile(config), `${Deno.pid}\n`);
Deno.addSignalListener("SIGTERM", () => console.log("ignoring SIGTERM"));
console.log("ready");
setInterval(() => {}, 1000);
