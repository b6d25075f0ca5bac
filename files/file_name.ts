/**
 * A file's name is text people chose: shown in the chat and offered when the file is saved,
 * never used to build a path (stored files have server-chosen names). What is kept is the
 * last part of a path (`../../x.php` becomes `x.php`), without control characters, at most
 * {@link MAX_NAME_CHARS} characters with its extension kept.
 *
 * @module
 */

/** Longest name kept, in characters (code points): what file systems allow in a name. */
export const MAX_NAME_CHARS = 255;

/** The name to keep, or a sentence saying why there is none. */
export function cleanFileName(raw: unknown): { name: string } | { problem: string } {
  if (typeof raw !== "string") return { problem: "name must be a string" };
  if (!raw.isWellFormed()) return { problem: "name must be valid Unicode text" };
  // NUL and other control characters end names early in C code and fool log readers.
  // deno-lint-ignore no-control-regex -- control characters are exactly what is looked for
  if (/[\u0000-\u001f\u007f-\u009f]/.test(raw)) {
    return { problem: "name must not contain control characters" };
  }
  const base = raw.split(/[\\/]/).pop()!.trim();
  if (base === "" || base === "." || base === "..") {
    return { problem: "name must name a file (it is empty or only a folder)" };
  }
  return { name: shorten(base) };
}

function shorten(name: string): string {
  const chars = [...name];
  if (chars.length <= MAX_NAME_CHARS) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  // An extension longer than a few characters is part of the name, not its type.
  const keep = extension.length > 0 && extension.length <= 16 ? extension : [];
  return chars.slice(0, MAX_NAME_CHARS - keep.length).join("") + keep.join("");
}

/**
 * A `Content-Disposition` value: `inline` or `attachment`, an ASCII `filename` for old clients
 * (anything else replaced by `_`, so no quote or backslash can end the value early) and the
 * real name as RFC 5987 `filename*` in UTF-8.
 */
export function contentDisposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
