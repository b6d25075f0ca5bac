/**
 * Contract suites: one set of `Deno.test`s per port, run against every implementation of it
 * (`queue/queue_contract.ts`, `store/users_contract.ts` …). Each implementation's `_test.ts`
 * calls the suite with a function that opens it on fresh, isolated storage.
 *
 * @module
 */

/** What a suite opens for each test: an implementation, probes, and a way to remove it all. */
export interface ContractHarness {
  /** Closes what the test opened and removes its storage. */
  close(): Promise<void>;
}

/** Registers one test of a suite on a harness of its own. */
export type ContractTest<H> = (label: string, body: (harness: H) => Promise<void>) => void;

/**
 * A test registrar for one implementation: a test named `${name}: ${label}` opens a fresh
 * harness, runs `body` and closes the harness whatever happens.
 */
export function contractTests<H extends ContractHarness>(
  name: string,
  open: () => Promise<H>,
): ContractTest<H> {
  return (label, body) =>
    Deno.test(`${name}: ${label}`, async () => {
      const harness = await open();
      try {
        await body(harness);
      } finally {
        await harness.close();
      }
    });
}
