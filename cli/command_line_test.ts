import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { type Command, parseCommandLine, UsageError, wrap } from "./command_line.ts";

const run = () => Promise.resolve(0);
const COMMANDS: Command[] = [
  {
    name: "start",
    usage: "start [-d]",
    summary: "s",
    options: { daemon: { type: "boolean", short: "d" } },
    run,
  },
  {
    name: "user add",
    usage: "user add ACCOUNT",
    summary: "a",
    args: [1, 1],
    options: { name: { type: "string" } },
    run,
  },
  {
    name: "user list",
    usage: "user list",
    summary: "l",
    options: { json: { type: "boolean" } },
    run,
  },
];

Deno.test("command line: finds the command through settings and option values", () => {
  const parsed = parseCommandLine(
    ["--port", "9000", "user", "add", "--name", "start", "alice", "--data", "d"],
    COMMANDS,
    "main",
  );
  assert(parsed.kind === "run");
  assertEquals(parsed.command.name, "user add");
  assertEquals(parsed.args, ["alice"]);
  assertEquals([parsed.values.port, parsed.values.name, parsed.values.data], [
    "9000",
    "start",
    "d",
  ]);
  const start = parseCommandLine(["start", "-d", "--log-json"], COMMANDS, "main");
  assert(start.kind === "run" && start.values.daemon === true && start.values["log-json"] === true);
});

Deno.test("command line: help, and usage errors that name what is wrong", () => {
  assertEquals(parseCommandLine(["--help"], COMMANDS, "main"), { kind: "help", text: "main" });
  const group = parseCommandLine(["user", "-h"], COMMANDS, "main");
  assert(group.kind === "help" && group.text.includes("chat user add ACCOUNT"));
  const fails = (argv: string[], pattern: RegExp) =>
    throws(
      () => parseCommandLine(argv, COMMANDS, "main"),
      (e: unknown) => e instanceof UsageError && pattern.test(e.message),
    );
  fails([], /no command given/);
  fails(["stop"], /unknown command "stop"/);
  fails(["user", "rm"], /unknown subcommand "rm" \(add, list\)/);
  fails(["user", "list", "--name", "x"], /chat user list: unknown option --name/);
  fails(["start", "--json"], /chat start: unknown option --json/);
  fails(["user", "add"], /missing argument/);
  fails(["user", "add", "a", "b"], /unexpected argument "b"/);
  fails(["user", "add", "a", "--name"], /option --name needs a value/);
});

Deno.test("command line: help text is wrapped at the width", () => {
  const lines = wrap("one two three four five six", 12, "  ");
  assertEquals(lines, ["  one two", "  three four", "  five six"]);
  assert(lines.every((l) => l.length <= 12));
});
