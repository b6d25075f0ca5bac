/**
 * Jimp's core with only what thumbnails need (PNG and JPEG in pure JavaScript, and scaling),
 * loaded on first use. The whole `jimp` package is not used: its GIF quantizer (`image-q`)
 * pulls in `@types/node@16`, which would change the types of globals (`setTimeout`,
 * `clearTimeout`) for the whole program.
 *
 * @module
 */
import type { Jimp as JimpApi } from "./jimp_types.d.ts";

/** The Jimp class, with PNG and JPEG and the resize methods. */
export async function loadJimp(): Promise<typeof JimpApi> {
  const [{ createJimp }, png, jpeg, resize] = await Promise.all([
    import("@jimp/core"),
    import("@jimp/js-png"),
    import("@jimp/js-jpeg"),
    import("@jimp/plugin-resize"),
  ]);
  return createJimp({
    formats: [png.default, jpeg.default],
    plugins: [resize.methods],
  }) as unknown as typeof JimpApi;
}
