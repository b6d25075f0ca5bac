import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { Counter, Gauge, Histogram, Registry } from "./prometheus.ts";

Deno.test("prometheus: counters, gauges and histograms in the text format", async () => {
  const registry = new Registry();
  const errors = registry.add(new Counter("t_errors_total", "Errors by code"));
  errors.inc({ code: "bad_request" });
  errors.inc({ code: "bad_request" }, 2);
  errors.inc({ code: 'we"ird\\n\n' });
  registry.add(new Counter("t_idle_total", "Never counted"));
  registry.add(new Gauge("t_open", "Open things", () => 7));
  registry.add(new Gauge("t_by_state", "One per state", () => [[{ state: "alive" }, 1]]));
  registry.add(new Gauge("t_broken", "Fails", () => Promise.reject(new Error("redis\ndown"))));
  const sizes = registry.add(new Histogram("t_batch", "Batch sizes", [1, 10, 100]));
  for (const v of [1, 5, 50, 500]) sizes.observe(v);
  const text = await registry.render();
  assertEquals(
    text,
    [
      "# HELP t_errors_total Errors by code",
      "# TYPE t_errors_total counter",
      't_errors_total{code="bad_request"} 3',
      't_errors_total{code="we\\"ird\\\\n\\n"} 1',
      "# HELP t_idle_total Never counted",
      "# TYPE t_idle_total counter",
      "t_idle_total 0",
      "# HELP t_open Open things",
      "# TYPE t_open gauge",
      "t_open 7",
      "# HELP t_by_state One per state",
      "# TYPE t_by_state gauge",
      't_by_state{state="alive"} 1',
      "# t_broken unavailable: redis down",
      "# HELP t_batch Batch sizes",
      "# TYPE t_batch histogram",
      't_batch_bucket{le="1"} 1',
      't_batch_bucket{le="10"} 2',
      't_batch_bucket{le="100"} 3',
      't_batch_bucket{le="+Inf"} 4',
      "t_batch_sum 556",
      "t_batch_count 4",
      "",
    ].join("\n"),
  );
  assertEquals(errors.value({ code: "bad_request" }), 3);
  throws(() => registry.add(new Counter("t_open", "again")), /exists/);
  throws(() => new Counter("bad-name", "x"), /bad name/);
  throws(() => new Histogram("t_h", "x", [2, 1]), /increase/);
  assert(text.endsWith("\n"));
});
