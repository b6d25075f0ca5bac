/**
 * The upgrade's one error of its own: it will not start (or go on), and the message says why;
 * nothing was changed by the step that refused.
 *
 * @module
 */

/** The upgrade cannot be done as the database stands. */
export class UpgradeRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpgradeRefused";
  }
}
