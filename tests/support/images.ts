/**
 * Test images made here, byte by byte from the formats' specifications: a real PNG (any size,
 * decodable, compressed with zlib), and the headers of GIF, JPEG and WebP files (enough for the
 * header parsers; their pixel data is padding).
 *
 * @module
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function be32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat(new TextEncoder().encode(type), data);
  return concat(be32(data.length), typed, be32(crc32(typed)));
}

/** A real RGB PNG of `width` × `height`, a colour gradient (so it compresses but is not blank). */
export function pngImage(width: number, height: number): Uint8Array {
  const header = concat(be32(width), be32(height), new Uint8Array([8, 2, 0, 0, 0]));
  const rows = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = (x * 255 / width) | 0;
      rows[row + 2 + x * 3] = (y * 255 / height) | 0;
      rows[row + 3 + x * 3] = 128;
    }
  }
  return concat(
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", new Uint8Array(deflateSync(rows))),
    pngChunk("IEND", new Uint8Array()),
  );
}

/** A GIF89a header of the given logical screen size. */
export function gifHeader(width: number, height: number): Uint8Array {
  return concat(
    new TextEncoder().encode("GIF89a"),
    new Uint8Array([width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0]),
    new Uint8Array(32),
  );
}

/**
 * A JPEG's segments up to its frame header: SOI, APP0 (JFIF), an APP1 of `metadataBytes`
 * (EXIF-sized metadata before the frame), a comment, then a baseline SOF0 of the given size.
 */
export function jpegHeader(width: number, height: number, metadataBytes = 100): Uint8Array {
  const segment = (marker: number, data: Uint8Array) =>
    concat(new Uint8Array([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data);
  const sof = new Uint8Array([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3]);
  const apps: Uint8Array[] = [];
  for (let left = metadataBytes; left > 0; left -= 65_000) {
    apps.push(segment(0xe1, new Uint8Array(Math.min(left, 65_000))));
  }
  return concat(
    new Uint8Array([0xff, 0xd8]),
    segment(0xe0, new TextEncoder().encode("JFIF\0\x01\x01\0\0\x01\0\x01\0\0")),
    ...apps,
    new Uint8Array([0xff, 0xff]), // a fill byte before the next marker
    segment(0xfe, new TextEncoder().encode("made by a test")),
    segment(0xc0, concat(sof, new Uint8Array(9))),
    new Uint8Array(64),
  );
}

/** A WebP header of the given kind: lossy (VP8), lossless (VP8L) or extended (VP8X). */
export function webpHeader(kind: "VP8 " | "VP8L" | "VP8X", width: number, height: number) {
  const data = new Uint8Array(30);
  if (kind === "VP8 ") {
    data.set([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]);
    data.set([width & 0xff, (width >> 8) & 0x3f, height & 0xff, (height >> 8) & 0x3f], 6);
  } else if (kind === "VP8L") {
    const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
    data.set([0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff]);
  } else {
    const w = width - 1, h = height - 1;
    data.set([
      0x10,
      0,
      0,
      0,
      w & 0xff,
      (w >> 8) & 0xff,
      w >> 16,
      h & 0xff,
      (h >> 8) & 0xff,
      h >> 16,
    ]);
  }
  const riffSize = 4 + 8 + data.length;
  const le = (n: number) => new Uint8Array([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
  const te = new TextEncoder();
  return concat(
    te.encode("RIFF"),
    le(riffSize),
    te.encode("WEBP"),
    te.encode(kind),
    le(data.length),
    data,
  );
}
