/**
 * `GET /metrics`: the Prometheus exposition of this process, for the addresses of
 * `metrics.allow` (default: loopback) or anybody with the metrics token (or the admin token).
 *
 * A request that carries `X-Forwarded-For` but did not come from a trusted proxy was forwarded
 * by a proxy the server does not know, which would make every client look like the proxy's
 * own (often loopback) address: only a token opens the metrics then.
 *
 * @module
 */
import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "../ops/prometheus.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { bearerToken, matchesSecret } from "./bearer.ts";
import { addressInRanges } from "./client_address.ts";
import { forbidden } from "./errors.ts";
import { fromTrustedProxy, requestClientAddress } from "./request_address.ts";

/** The `/metrics` route (absent when the app has no metrics). */
export function metricsRoute(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/metrics", async (c) => {
    const { metrics: settings, admin, http } = deps.config;
    const token = bearerToken(c);
    const byToken = matchesSecret(token, settings.token, admin.token);
    const forwardedByStranger = c.req.header("x-forwarded-for") !== undefined &&
      !fromTrustedProxy(c, http.trustedProxies);
    const byAddress = !forwardedByStranger &&
      addressInRanges(requestClientAddress(c, http.trustedProxies), settings.allow);
    if (!byToken && !byAddress) {
      throw forbidden(
        "metrics are open to the addresses of metrics.allow, or with the metrics token",
      );
    }
    const text = await deps.metrics!.render();
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  });
  return app;
}
