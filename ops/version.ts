/**
 * The version of this webChat, shown by `chat --version`, `chat status` and `/metrics`.
 *
 * @module
 */

/** Semantic version of this release. */
export const VERSION = "0.9.0";
