/**
 * Images recognised by their content, never by their name: the first bytes of a file say
 * whether it is a PNG, JPEG, GIF or WebP image, and the header says how large it is. Anything
 * else (SVG, HTML, a `.png` that is really a script) is not an image and is never shown inline.
 *
 * The parsers read only the header, from a prefix of the file ({@link IMAGE_HEAD_BYTES}); no
 * pixel data is decoded.
 *
 * @module
 */

/** The raster types shown inline. */
export type ImageMime = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

/** What the header says. */
export interface ImageInfo {
  mime: ImageMime;
  width: number;
  height: number;
}

/**
 * How much of a file the parsers need: PNG, GIF and WebP say their size in the first 30 bytes;
 * a JPEG's frame header comes after its metadata segments (EXIF with an embedded preview may
 * take up to 64 KiB each), so a generous prefix is read.
 */
export const IMAGE_HEAD_BYTES = 256 * 1024;

/** Largest side accepted as real (WebP's limit; PNG allows more, no browser shows it). */
const MAX_SIDE = 65_535;

/** The image type and size of a file from its first bytes, or null when it is not an image. */
export function imageInfo(head: Uint8Array): ImageInfo | null {
  const info = png(head) ?? gif(head) ?? webp(head) ?? jpeg(head);
  if (!info) return null;
  const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_SIDE;
  return valid(info.width) && valid(info.height) ? info : null;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, prefix: number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** PNG: signature, then the IHDR chunk with width and height (big-endian). */
function png(b: Uint8Array): ImageInfo | null {
  if (!startsWith(b, PNG_SIGNATURE) || b.length < 24 || ascii(b, 12, 4) !== "IHDR") return null;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { mime: "image/png", width: view.getUint32(16), height: view.getUint32(20) };
}

/** GIF87a/GIF89a: the logical screen's width and height (little-endian). */
function gif(b: Uint8Array): ImageInfo | null {
  if (b.length < 10 || !/^GIF8[79]a$/.test(ascii(b, 0, 6))) return null;
  return { mime: "image/gif", width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
}

/** WebP: RIFF container; the size is in the first chunk (lossy VP8, lossless VP8L, or VP8X). */
function webp(b: Uint8Array): ImageInfo | null {
  if (b.length < 30 || ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 4) !== "WEBP") return null;
  const chunk = ascii(b, 12, 4);
  const le16 = (at: number) => b[at] | (b[at + 1] << 8);
  const le24 = (at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
  if (chunk === "VP8 ") {
    // A key frame: 3-byte frame tag, then the start code 9d 01 2a, then 14-bit sizes.
    if (!startsWith(b, [0x9d, 0x01, 0x2a], 23)) return null;
    return { mime: "image/webp", width: le16(26) & 0x3fff, height: le16(28) & 0x3fff };
  }
  if (chunk === "VP8L") {
    if (b[20] !== 0x2f) return null;
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return {
      mime: "image/webp",
      width: (bits & 0x3fff) + 1,
      height: ((bits >>> 14) & 0x3fff) + 1,
    };
  }
  if (chunk === "VP8X") {
    return { mime: "image/webp", width: le24(24) + 1, height: le24(27) + 1 };
  }
  return null;
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic), not DHT/JPG/DAC. */
const SOF = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

/** JPEG: walk the marker segments from SOI to the first start-of-frame (big-endian sizes). */
function jpeg(b: Uint8Array): ImageInfo | null {
  if (!startsWith(b, [0xff, 0xd8, 0xff])) return null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI; EOI or SOS before a frame header: not an image.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = (b[at + 2] << 8) | b[at + 3];
    if (length < 2) return null;
    if (SOF.has(marker)) {
      if (at + 9 > b.length) return null;
      const height = (b[at + 5] << 8) | b[at + 6];
      const width = (b[at + 7] << 8) | b[at + 8];
      return { mime: "image/jpeg", width, height };
    }
    at += 2 + length;
  }
  return null;
}
