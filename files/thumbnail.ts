/**
 * Thumbnails: a smaller copy of a large PNG or JPEG (longest side above
 * {@link THUMBNAIL_ABOVE} pixels), at most {@link THUMBNAIL_SIDE} pixels on its longest side,
 * in the image's own type. Made with Jimp (pure JavaScript: it runs on Deno without native
 * builds), in the upload worker's thread, never the chat's. GIF (a thumbnail would stop an
 * animation), WebP (Jimp cannot decode it) and images over {@link THUMBNAIL_MAX_PIXELS} (a
 * decoded image takes 4 bytes per pixel) get none: the browser scales those.
 *
 * @module
 */
import type { FileStorage } from "./file_storage.ts";
import type { StoredFile } from "./file_table.ts";
import { loadJimp } from "./jimp.ts";

/** The longest side of a thumbnail. */
export const THUMBNAIL_SIDE = 320;
/** Images whose longest side is above this get a thumbnail. */
export const THUMBNAIL_ABOVE = 640;
/** Largest image decoded for one (24 MP: 96 MB while decoding). */
export const THUMBNAIL_MAX_PIXELS = 24_000_000;
/** Largest file read for one. */
const MAX_SOURCE_BYTES = 40 * 1024 * 1024;

/** What a thumbnail is made from. */
export type ThumbnailSource = Pick<
  StoredFile,
  "storageKey" | "mime" | "width" | "height" | "size"
>;

/** Whether `file` gets a thumbnail. */
export function wantsThumbnail(file: ThumbnailSource): boolean {
  if (file.mime !== "image/png" && file.mime !== "image/jpeg") return false;
  if (file.width === null || file.height === null) return false;
  return Math.max(file.width, file.height) > THUMBNAIL_ABOVE &&
    file.width * file.height <= THUMBNAIL_MAX_PIXELS && file.size <= MAX_SOURCE_BYTES;
}

/** Where the thumbnail of the file stored at `storageKey` goes. */
export function thumbnailKeyOf(storageKey: string): string {
  return storageKey.replace(/^files\//, "thumbnails/");
}

/** Makes and stores the thumbnail of `file`; its key, or null when it gets none. */
export async function makeThumbnail(
  storage: FileStorage,
  file: ThumbnailSource,
): Promise<string | null> {
  if (!wantsThumbnail(file)) return null;
  const object = await storage.get(file.storageKey);
  if (!object) return null;
  const source = await new Response(object.body).arrayBuffer();
  // Loaded on first use: only the thread that makes thumbnails pays for the library.
  const Jimp = await loadJimp();
  const image = await Jimp.fromBuffer(source);
  image.scaleToFit({ w: THUMBNAIL_SIDE, h: THUMBNAIL_SIDE });
  const bytes = file.mime === "image/png"
    ? await image.getBuffer("image/png")
    : await image.getBuffer("image/jpeg", { quality: 80 });
  const key = thumbnailKeyOf(file.storageKey);
  await storage.put(key, new Blob([new Uint8Array(bytes)]).stream(), {
    maxBytes: bytes.byteLength,
  });
  return key;
}
