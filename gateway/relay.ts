/**
 * A delivery handed to another node: the frames for the accounts connected there, with the
 * chat (ordering key) and `seq` of a message. One JSON text per node and delivery:
 * `{"k":key,"s":seq,"f":[[frame,[accountid…]]…]}` (`s` only for messages; one entry in `f` per
 * distinct frame, e.g. the mentioned members' own).
 *
 * @module
 */

/** A delivery as another node hands it over. */
export interface RelayedDelivery {
  key: string;
  seq?: number;
  /** Each frame with the accounts it goes to. */
  frames: [text: string, accountids: string[]][];
}

/** The text of one delivery for the accounts `accountids` of one node. */
export function encodeRelay(
  accountids: readonly string[],
  text: string,
  key: string,
  seq: number | undefined,
  textFor?: (accountid: string) => string,
): string {
  let frames: [string, string[]][];
  if (!textFor) frames = [[text, [...accountids]]];
  else {
    const byText = new Map<string, string[]>();
    for (const accountid of accountids) {
      const frame = textFor(accountid);
      const list = byText.get(frame);
      if (list) list.push(accountid);
      else byText.set(frame, [accountid]);
    }
    frames = [...byText];
  }
  return JSON.stringify(seq === undefined ? { k: key, f: frames } : { k: key, s: seq, f: frames });
}

/** A delivery from another node, or null when the text is not one (logged by the caller). */
export function decodeRelay(payload: string): RelayedDelivery | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const v = value as { k?: unknown; s?: unknown; f?: unknown };
  if (typeof v !== "object" || v === null || typeof v.k !== "string") return null;
  if (v.s !== undefined && !Number.isSafeInteger(v.s)) return null;
  if (!Array.isArray(v.f)) return null;
  const frames: [string, string[]][] = [];
  for (const entry of v.f) {
    if (!Array.isArray(entry) || typeof entry[0] !== "string" || !Array.isArray(entry[1])) {
      return null;
    }
    if (!entry[1].every((a: unknown) => typeof a === "string")) return null;
    frames.push([entry[0], entry[1]]);
  }
  return { key: v.k, ...(v.s === undefined ? {} : { seq: v.s as number }), frames };
}
