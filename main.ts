/**
 * `chat`: the webChat command line. Parses the command, builds the configuration once, and
 * starts the server or talks to a running one.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, readConfigFile, type ResolvedConfig } from "./config/mod.ts";
import { runServer, serverState, signalServer, startDaemon, stopServer } from "./api/process.ts";
import { printStatus } from "./api/status_report.ts";
import { queueCommand } from "./api/queue_admin.ts";
import { userCommand } from "./store/user_admin.ts";

const HELP = `webChat: team chat server

Usage:
  chat start [-d]        run the server (-d: in the background, log in <data>/chat.log)
  chat stop              stop the background server
  chat restart [-d]      stop, then start
  chat reload            restart the archive worker of the running server (SIGHUP)
  chat status            process state and queue counts (exit 1 unless running and alive)
  chat queue retry-parked  put messages the archive refused back on the queue
  chat user add ACCOUNT --name NAME [--dept-path "L1,L2"] [--email E] [--tel T]
                [--mobile M] [--password-stdin]
  chat user passwd ACCOUNT [--password-stdin]

Settings (flags win over CHAT_* environment, which wins over the config file):
  --config FILE          JSON config file (default ./chat.json when present)
  --host HOST            CHAT_HOST (default 127.0.0.1)
  --port PORT            CHAT_PORT (default 8080)
  --redis URL            CHAT_REDIS_URL, e.g. redis://127.0.0.1:6379/0
  --mysql URL            CHAT_MYSQL_URL, e.g. mysql://root@127.0.0.1:3306/webChat
  --data DIR             CHAT_DATA_DIR (default ./data): pid, log, embedded database
  --origin ORIGIN        CHAT_ORIGINS (comma separated): extra allowed browser origins
  --public-url URL       CHAT_PUBLIC_URL: the URL people open (behind a proxy), e.g.
                         https://chat.example.com
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      daemon: { type: "boolean", short: "d" },
      config: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      redis: { type: "string" },
      mysql: { type: "string" },
      data: { type: "string" },
      origin: { type: "string", multiple: true },
      "public-url": { type: "string" },
      name: { type: "string" },
      "dept-path": { type: "string" },
      dept: { type: "string" },
      email: { type: "string" },
      tel: { type: "string" },
      mobile: { type: "string" },
      "password-stdin": { type: "boolean" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  const config: ResolvedConfig = loadConfig({
    file: readConfigFile(values.config ?? Deno.env.get("CHAT_CONFIG")),
    env: Deno.env.toObject(),
    flags: values,
  });
  switch (command) {
    case "start":
      if (values.daemon) return await startDaemon(config, argv);
      return await runServer(config);
    case "stop":
      return await stopServer(config);
    case "restart":
      await stopServer(config, { quiet: true });
      if (values.daemon) return await startDaemon(config, argv);
      return await runServer(config);
    case "reload":
      return signalServer(config, "SIGHUP");
    case "status":
      return await printStatus(config, serverState(config));
    case "queue":
      return await queueCommand(config, rest);
    case "user":
      return await userCommand(config, rest, values);
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (
      error instanceof ConfigError || (error as { code?: string }).code?.startsWith("ERR_PARSE")
    ) {
      console.error(`chat: ${(error as Error).message}`);
      Deno.exit(2);
    }
    console.error(`chat: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
