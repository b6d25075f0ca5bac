/**
 * `File`, the wire shape of a stored file (in `say` frames, history, and upload answers):
 * `{"id","name","size","mime","width","height","url"}`, `width`/`height` for images only,
 * `thumbnailUrl` when a smaller copy exists.
 *
 * @module
 */
import type { StoredFile } from "./file_table.ts";

/** A file as clients see it. */
export interface FileInfo {
  id: string;
  name: string;
  size: number;
  mime: string;
  width?: number;
  height?: number;
  /** Where to download it: `/files/<id>/<name>` (the name part is for people). */
  url: string;
  /** A smaller copy of a large image, when one was made. */
  thumbnailUrl?: string;
}

/** The download path of a file. */
export function fileUrl(file: Pick<StoredFile, "id" | "name">): string {
  return `/files/${file.id}/${encodeURIComponent(file.name)}`;
}

/** The `File` of a stored file. */
export function toFileInfo(file: StoredFile): FileInfo {
  const info: FileInfo = {
    id: file.id,
    name: file.name,
    size: file.size,
    mime: file.mime,
    url: fileUrl(file),
  };
  if (file.width !== null && file.height !== null) {
    info.width = file.width;
    info.height = file.height;
  }
  if (file.thumbnailKey) info.thumbnailUrl = `${fileUrl(file)}?thumbnail`;
  return info;
}
