/**
 * Everything a run measured, filled in phase by phase and printed by the summary table.
 *
 * @module
 */
import type { ArchiveResult } from "./archive_relay.ts";
import type { PhaseCpu } from "./cpu_meter.ts";

/** The throughput phase against one server. */
export interface BurstStats {
  total: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  elapsedSec: number;
  ackSec: number;
  rate: number;
  p50: number;
  p99: number;
  cpu: PhaseCpu;
}

/** The paced latency phase against one server. */
export interface PacedStats {
  total: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  sendSec: number;
  sentRate: number;
  deliveredRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  maxSendLag: number;
  pingP50: number | null;
  pingP99: number | null;
  pingMax: number | null;
  cpu: PhaseCpu;
  /** Seconds into the phase at which the server's 25 s heartbeat pinged every socket. */
  heartbeats: number[];
}

/** Every phase's figures for one server (webChat or the bare relay). */
export interface TargetResults {
  connectSec?: number;
  connectCpu?: PhaseCpu;
  burst?: BurstStats;
  paced?: PacedStats;
  stopSec?: number;
}

/** The whole run. */
export interface Results {
  date: string;
  nproc: string;
  deno: string;
  setup?: { users: number; usersSec: number; loginSec: number };
  webchat: TargetResults;
  relay: TargetResults;
  durable?: { archivedSec: number | null; rate: number | null; rows: number };
  archive?: ArchiveResult;
}

/** Empty results stamped with the date, the machine's core count and Deno's version. */
export async function createResults(): Promise<Results> {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: await nproc(),
    deno: Deno.version.deno,
    webchat: {},
    relay: {},
  };
}

async function nproc(): Promise<string> {
  try {
    const out = await new Deno.Command("nproc", { stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim() || String(navigator.hardwareConcurrency);
  } catch {
    return String(navigator.hardwareConcurrency);
  }
}
