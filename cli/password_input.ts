/**
 * Where `chat user add|passwd` get a password: one line of standard input
 * (`--password-stdin`), a prompt without echo on a terminal (asked twice), or, when standard
 * input is neither, a generated one that is printed once.
 *
 * @module
 */
import { generatePassword } from "../store/password.ts";
import { UsageError } from "./command_line.ts";

/** A password and how it was had. */
export interface PasswordInput {
  password: string;
  /** Generated here: the command prints it. */
  generated: boolean;
}

/** Reads, prompts for or generates the password; throws {@link UsageError} for a bad one. */
export async function passwordInput(
  command: string,
  fromStdin: boolean,
  minLength: number,
): Promise<PasswordInput> {
  let password: string;
  if (fromStdin) {
    password = await readStdinLine();
    if (password === "") {
      throw new UsageError(`${command}: the password read from standard input is empty`);
    }
  } else if (Deno.stdin.isTerminal()) {
    password = await promptHidden("Password: ");
    if (password !== "" && await promptHidden("Again: ") !== password) {
      throw new UsageError(`${command}: the two passwords differ; nothing was changed`);
    }
    if (password === "") throw new UsageError(`${command}: no password given`);
  } else {
    return { password: generatePassword(minLength), generated: true };
  }
  // Code points, as people count characters (an emoji is one).
  if ([...password].length < minLength) {
    throw new UsageError(
      `${command}: the password must be at least ${minLength} characters long ` +
        `(password.minLength); nothing was changed`,
    );
  }
  return { password, generated: false };
}

async function readStdinLine(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.split(/\r?\n/)[0];
}

/** Asks on standard error and reads a line from the terminal without showing it. */
async function promptHidden(question: string): Promise<string> {
  const encoder = new TextEncoder();
  // Echo off before the question shows: what is typed at once must not appear either.
  Deno.stdin.setRaw(true);
  Deno.stderr.writeSync(encoder.encode(question));
  try {
    const buffer = new Uint8Array(64);
    const line = new HiddenLine();
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return line.text;
      const done = line.feed(buffer.subarray(0, n));
      if (done === "interrupted") throw new UsageError("interrupted; nothing was changed");
      if (done === "done") return line.text;
    }
  } finally {
    Deno.stdin.setRaw(false);
    Deno.stderr.writeSync(encoder.encode("\n"));
  }
}

/**
 * The keys of a line typed with echo off: Enter ends it, Backspace takes back a character
 * (a whole one, not a byte of it), Ctrl-C and Ctrl-D on an empty line interrupt, other
 * control keys and escape sequences (arrows) are ignored.
 */
export class HiddenLine {
  #bytes: number[] = [];
  #escape = false;

  /** The line so far. */
  get text(): string {
    return new TextDecoder().decode(new Uint8Array(this.#bytes));
  }

  /** Takes typed bytes; says whether the line is complete. */
  feed(bytes: Uint8Array): "more" | "done" | "interrupted" {
    for (const byte of bytes) {
      if (this.#escape) {
        // ESC [ … final byte (0x40-0x7e) ends a sequence.
        if (byte >= 0x40 && byte <= 0x7e && byte !== 0x5b) this.#escape = false;
        continue;
      }
      if (byte === 0x0d || byte === 0x0a) return "done";
      if (byte === 0x03) return "interrupted";
      if (byte === 0x04 && this.#bytes.length === 0) return "interrupted";
      if (byte === 0x1b) {
        this.#escape = true;
        continue;
      }
      if (byte === 0x7f || byte === 0x08) {
        // Drop UTF-8 continuation bytes, then the lead byte: one character.
        while (this.#bytes.length > 0 && (this.#bytes.at(-1)! & 0xc0) === 0x80) this.#bytes.pop();
        this.#bytes.pop();
        continue;
      }
      if (byte < 0x20) continue;
      this.#bytes.push(byte);
    }
    return "more";
  }
}
