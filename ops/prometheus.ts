/**
 * Counters, gauges and histograms, written in Prometheus's text exposition format (version
 * 0.0.4), without a client library: the format is a few lines per metric, and a library would
 * be the project's first dependency for it.
 *
 * Label values come from the server's own vocabulary (error codes, frame types, login results),
 * never from what a client sends, so the number of series stays bounded.
 *
 * @module
 */

/** Label names and values of one series. */
export type Labels = Record<string, string>;

/** What the exposition's content type is. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function checkName(name: string): string {
  if (!NAME.test(name)) throw new TypeError(`Cannot register metric: bad name "${name}"`);
  return name;
}

/** `\`, `"` and line breaks escaped, as the format wants label values. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function seriesName(name: string, labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${
    help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
  }\n# TYPE ${name} ${type}\n`;
}

/** A value that only goes up, per label set. */
export class Counter {
  readonly #series = new Map<string, { labels: Labels | undefined; value: number }>();

  constructor(readonly name: string, readonly help: string) {
    checkName(name);
  }

  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels?: Labels, by = 1): void {
    const key = labels ? JSON.stringify(labels) : "";
    const series = this.#series.get(key);
    if (series) series.value += by;
    else this.#series.set(key, { labels, value: by });
  }

  /** The current value of one series (0 when never counted). */
  value(labels?: Labels): number {
    return this.#series.get(labels ? JSON.stringify(labels) : "")?.value ?? 0;
  }

  render(): string {
    let text = header(this.name, this.help, "counter");
    if (this.#series.size === 0) return text + `${this.name} 0\n`;
    for (const { labels, value } of this.#series.values()) {
      text += `${seriesName(this.name, labels)} ${number(value)}\n`;
    }
    return text;
  }
}

/** Values read when scraped: `collect` answers each series' labels and value. */
export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () =>
      | number
      | [Labels, number][]
      | Promise<number | [Labels, number][]>,
  ) {
    checkName(name);
  }

  async render(): Promise<string> {
    const values = await this.collect();
    const series = typeof values === "number" ? [[{}, values] as [Labels, number]] : values;
    let text = header(this.name, this.help, "gauge");
    for (const [labels, value] of series) {
      text += `${seriesName(this.name, labels)} ${number(value)}\n`;
    }
    return text;
  }
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram {
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {
    checkName(name);
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) {
      throw new RangeError(`Cannot register histogram ${name}: buckets must increase`);
    }
    this.#counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) this.#counts[i]++;
    this.#sum += value;
    this.#count++;
  }

  /** Observations so far. */
  get count(): number {
    return this.#count;
  }

  render(): string {
    let text = header(this.name, this.help, "histogram");
    this.buckets.forEach((bound, i) => {
      text += `${this.name}_bucket{le="${number(bound)}"} ${this.#counts[i]}\n`;
    });
    text += `${this.name}_bucket{le="+Inf"} ${this.#count}\n`;
    text += `${this.name}_sum ${number(this.#sum)}\n${this.name}_count ${this.#count}\n`;
    return text;
  }
}

/** Metrics in the order they are shown; names are unique. */
export class Registry {
  readonly #metrics: (Counter | Gauge | Histogram)[] = [];

  /** Adds a metric and returns it. */
  add<M extends Counter | Gauge | Histogram>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) {
      throw new TypeError(`Cannot register metric: "${metric.name}" exists`);
    }
    this.#metrics.push(metric);
    return metric;
  }

  /**
   * The exposition text. A gauge whose collection fails (a store is down) is left out with a
   * comment saying why, so the rest of the scrape still arrives.
   */
  async render(): Promise<string> {
    const parts = await Promise.all(this.#metrics.map(async (metric) => {
      try {
        return await metric.render();
      } catch (error) {
        const reason = String((error as Error)?.message ?? error).replace(/\n/g, " ");
        return `# ${metric.name} unavailable: ${reason}\n`;
      }
    }));
    return parts.join("");
  }
}
