/**
 * The part of Jimp's API that `thumbnail.ts` uses. Jimp's own declarations depend on
 * `@types/node`, which would change the types of globals (`setTimeout`, `clearTimeout`) for the
 * whole program; these few lines stand in for them.
 */
export interface JimpImage {
  readonly width: number;
  readonly height: number;
  scaleToFit(size: { w: number; h: number }): JimpImage;
  getBuffer(mime: "image/png"): Promise<Uint8Array>;
  getBuffer(mime: "image/jpeg", options: { quality: number }): Promise<Uint8Array>;
}

export declare const Jimp: {
  fromBuffer(buffer: ArrayBuffer): Promise<JimpImage>;
};
