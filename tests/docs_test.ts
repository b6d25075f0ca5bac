/**
 * The documentation stands on its own: every link in the README and in `docs/` points to a file
 * of this repository (a user's clone has nothing beside it) and every `#anchor` to a heading.
 */
import { ok as assert } from "node:assert/strict";
import { dirname, relative, resolve } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const found = [...markdown.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => anchorOf(m[1].trim()));
  return new Set(found);
}

Deno.test("README and docs/ link only to files and headings inside the repository", async () => {
  const files = ["README.md"];
  for await (const entry of Deno.readDir(`${ROOT}/docs`)) {
    if (entry.name.endsWith(".md")) files.push(`docs/${entry.name}`);
  }
  assert(files.includes("docs/protocol.md"), "the protocol document is missing");
  for (const file of files) {
    const text = await Deno.readTextFile(`${ROOT}/${file}`);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:\/\//.test(target)) continue;
      const [path, anchor] = target.split("#");
      const absolute = path ? resolve(ROOT, dirname(file), path) : `${ROOT}/${file}`;
      const inside = relative(ROOT, absolute);
      assert(!inside.startsWith(".."), `${file}: ${target} leaves the repository`);
      const linked = await Deno.readTextFile(absolute).catch(() => null);
      assert(linked !== null, `${file}: ${target} names no file`);
      if (anchor) assert(anchors(linked).has(anchor), `${file}: ${target}: no such heading`);
    }
  }
});
