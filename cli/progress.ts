/**
 * A progress bar on standard error, drawn only when standard error is a terminal (a log or a
 * pipe gets the commands' summary lines instead), redrawn at most ten times a second.
 *
 * @module
 */

const WIDTH = 30;

/** One bar: `label [#####.....]  45%  22500/50000`. */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #draw: boolean;
  #done = 0;
  #drawnAt = 0;

  constructor(label: string, total: number, draw = Deno.stderr.isTerminal()) {
    this.#label = label;
    this.#total = Math.max(0, total);
    this.#draw = draw && total > 0;
  }

  /** Adds `n` finished items. */
  add(n = 1): void {
    this.#done = Math.min(this.#total, this.#done + n);
    if (Date.now() - this.#drawnAt >= 100) this.#render();
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.#draw) return;
    this.#render();
    Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  }

  /** The bar's text (without the carriage return). */
  text(): string {
    const share = this.#total === 0 ? 1 : this.#done / this.#total;
    const filled = Math.round(share * WIDTH);
    const bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    const percent = String(Math.floor(share * 100)).padStart(3);
    return `${this.#label} [${bar}] ${percent}%  ${this.#done}/${this.#total}`;
  }

  #render(): void {
    if (!this.#draw) return;
    this.#drawnAt = Date.now();
    Deno.stderr.writeSync(new TextEncoder().encode(`\r${this.text()}`));
  }
}
