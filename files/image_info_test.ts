import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { gifHeader, jpegHeader, pngImage, webpHeader } from "../tests/support/images.ts";
import { IMAGE_HEAD_BYTES, imageInfo } from "./image_info.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("PNG, GIF, JPEG and WebP are recognised by content, with their size", () => {
  assertEquals(imageInfo(pngImage(300, 200)), { mime: "image/png", width: 300, height: 200 });
  assertEquals(imageInfo(gifHeader(640, 480)), { mime: "image/gif", width: 640, height: 480 });
  assertEquals(imageInfo(jpegHeader(4032, 3024)), {
    mime: "image/jpeg",
    width: 4032,
    height: 3024,
  });
  for (const kind of ["VP8 ", "VP8L", "VP8X"] as const) {
    assertEquals(imageInfo(webpHeader(kind, 1000, 750)), {
      mime: "image/webp",
      width: 1000,
      height: 750,
    }, kind);
  }
});

Deno.test("a JPEG frame header after 150 KB of metadata is found within the head read", () => {
  const head = jpegHeader(800, 600, 150_000);
  assertEquals(head.length < IMAGE_HEAD_BYTES, true);
  assertEquals(imageInfo(head)?.width, 800);
  // Cut before the frame header: not an image (never a guess).
  assertEquals(imageInfo(head.subarray(0, 100_000)), null);
});

Deno.test("names and claims do not make an image: SVG, HTML, scripts, truncated headers", () => {
  for (
    const bytes of [
      text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
      text("<html><script>alert(1)</script></html>"),
      text("<?php system($_GET['c']); ?>"),
      text("GIF8"),
      pngImage(10, 10).subarray(0, 20),
      new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
      new Uint8Array(0),
      text("RIFF\0\0\0\0WAVEfmt "),
    ]
  ) {
    assertEquals(imageInfo(bytes), null, new TextDecoder().decode(bytes.subarray(0, 20)));
  }
  // A header claiming zero pixels is not an image either.
  assertEquals(imageInfo(gifHeader(0, 10)), null);
  assertEquals(imageInfo(jpegHeader(0, 0)), null);
});
