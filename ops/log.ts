/**
 * Log lines with a level. Every part of the server logs through a `log(line, level?)` function
 * it is handed (never a global logger), so tests collect lines and the server decides where
 * they go: standard error in the foreground, `<data>/chat.log` under `start -d`, as text or as
 * one JSON object per line (`--log-json`), dropping lines below `--log-level`.
 *
 * @module
 */

/** Levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The function every part logs through; `level` defaults to "info". */
export type Log = (line: string, level?: LogLevel) => void;

/** How lines are written. */
export interface LogFormat {
  /** Lines below this level are dropped. */
  level: LogLevel;
  /** One JSON object per line (`{"time","level","msg"}`, plus `component`) instead of text. */
  json: boolean;
}

/**
 * The level of a line logged without one: the code base's convention that a line starting
 * with `WARNING:` is a warning holds for callers that predate levels.
 */
function levelOf(line: string, level: LogLevel | undefined): LogLevel {
  if (level) return level;
  return line.startsWith("WARNING:") ? "warn" : "info";
}

/** `archive worker: …` → "archive worker": the part of the server that speaks. */
function componentOf(line: string): string | undefined {
  const match = /^([a-z][a-z0-9 ._-]{1,30}): /.exec(line);
  return match?.[1];
}

/** Formats one line (without the line break). */
export function formatLine(line: string, level: LogLevel, json: boolean, now = new Date()): string {
  const time = now.toISOString();
  if (!json) {
    // Info lines read as they always did; a line that says WARNING: itself needs no tag.
    const tag = level === "info" || (level === "warn" && line.startsWith("WARNING:"))
      ? ""
      : `${level.toUpperCase()} `;
    return `${time} ${tag}${line}`;
  }
  const component = componentOf(line);
  return JSON.stringify({ time, level, msg: line, ...(component ? { component } : {}) });
}

/** A log whose format can change while it runs (`chat reload`). */
export class LogWriter {
  #format: LogFormat;
  readonly #write: (text: string) => void;

  /** `write` gets each formatted line, without the line break. */
  constructor(format: LogFormat, write: (text: string) => void) {
    this.#format = { ...format };
    this.#write = write;
  }

  /** The function to hand down. */
  readonly log: Log = (line, level) => {
    const resolved = levelOf(line, level);
    if (LOG_LEVELS.indexOf(resolved) < LOG_LEVELS.indexOf(this.#format.level)) return;
    this.#write(formatLine(line, resolved, this.#format.json));
  };

  /** Applies a new level or format to the lines that follow. */
  configure(format: LogFormat): void {
    this.#format = { ...format };
  }
}

/** Parses a level name; throws `RangeError` naming the known ones. */
export function parseLogLevel(text: string): LogLevel {
  const level = text.trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new RangeError(`expected one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(text)}`);
  }
  return level;
}
