/**
 * Just enough of PNG to tell that a screenshot is not blank: the header, the
 * image data inflated (the platform's `DecompressionStream`), the row
 * filters undone, and the pixels counted by colour.
 *
 * @module
 */

import assert from "node:assert/strict";

/**
 * What a screenshot shows, roughly.
 *
 * @example
 * ```ts
 * import type { PngSummary } from "./_png.ts";
 * import assert from "node:assert/strict";
 * const s: PngSummary = { width: 2, height: 1, colours: 2, background: 0.5 };
 * assert.equal(s.colours, 2);
 * ```
 */
export interface PngSummary {
  width: number;
  height: number;
  /** Distinct colours (RGB). */
  colours: number;
  /** The share of pixels that have the most common colour. */
  background: number;
}

/** Reads an 8-bit RGB or RGBA PNG (what Chromium's screenshots are). */
export async function summarisePng(png: Uint8Array): Promise<PngSummary> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG signature");
  let width = 0, height = 0, depth = 0, type = 0;
  const data: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const name = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + length);
    if (name === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = body[8];
      type = body[9];
    } else if (name === "IDAT") data.push(body);
    else if (name === "IEND") break;
    at += 12 + length;
  }
  assert.equal(depth, 8, "8 bits per channel");
  assert.ok(type === 2 || type === 6, `RGB or RGBA, got colour type ${type}`);
  const channels = type === 6 ? 4 : 3;
  const compressed = new Blob(data as BlobPart[]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  const raw = new Uint8Array(await new Response(compressed).arrayBuffer());
  const stride = width * channels;
  assert.equal(raw.length, height * (stride + 1), "the image data has every row");
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0, b = up[x];
      const c = x >= channels ? up[x - channels] : 0;
      let v = row[x];
      switch (filter) {
        case 0:
          break;
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          assert.fail(`unknown PNG row filter ${filter}`);
      }
      out[x] = v & 0xff;
    }
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < pixels.length; i += channels) {
    const rgb = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  const most = Math.max(...counts.values());
  return { width, height, colours: counts.size, background: most / (width * height) };
}
