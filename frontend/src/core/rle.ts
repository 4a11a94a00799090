// COCO run-length encoding, byte-for-byte compatible with pycocotools (maskApi.c).
// Runs go down columns (Fortran order), the first run counts zeros; the compressed string is
// pycocotools' LEB128-like variant: 5 data bits + 1 continuation bit per char, offset 48, and
// from the 4th run on each run is stored as the difference to the run two places before it.

/** A binary mask in row-major order (index y * width + x), 1 = inside. The canvas' layout. */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** COCO compressed RLE as it travels in JSON: size is [height, width]. */
export interface CompressedRle {
  size: [number, number];
  counts: string;
}

/** COCO uncompressed RLE (pycocotools' `frPyObjects` input form). */
export interface UncompressedRle {
  size: [number, number];
  counts: number[];
}

export type Rle = CompressedRle | UncompressedRle;

/** Largest side we accept from untrusted input; SA-1B images are ~1500x2250, video frames smaller. */
export const MAX_SIDE = 1 << 15;

export class RleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RleError';
  }
}

export function emptyMask(width: number, height: number): BinaryMask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Run lengths of a row-major mask, walked in column-major order as pycocotools does. */
export function maskToRuns(mask: BinaryMask): number[] {
  const { width: w, height: h, data } = mask;
  if (data.length !== w * h) throw new RleError(`mask data has ${data.length} values, expected ${w * h}`);
  const runs: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let i = x; i < x + w * h; i += w) {
      const value = data[i] ? 1 : 0;
      if (value !== previous) {
        runs.push(run);
        run = 0;
        previous = value;
      }
      run++;
    }
  }
  runs.push(run);
  return runs;
}

/** Compressed counts string for a list of runs (pycocotools `rleToString`). */
export function runsToString(runs: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < runs.length; i++) {
    let x = runs[i];
    if (i > 2) x -= runs[i - 2];
    let more = true;
    while (more) {
      // Arithmetic (not bitwise) so values past 2^31 and negatives behave like C's long.
      const quotient = Math.floor(x / 32);
      let c = x - quotient * 32;
      x = quotient;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/** Runs from a compressed counts string (pycocotools `rleFrString`). */
export function stringToRuns(counts: string): number[] {
  const runs: number[] = [];
  let p = 0;
  while (p < counts.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= counts.length) throw new RleError('counts string ends inside a run');
      const c = counts.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new RleError(`invalid character in counts at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (k > 7) throw new RleError('run too long in counts string');
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (runs.length > 2) x += runs[runs.length - 2];
    runs.push(x);
  }
  return runs;
}

function checkSize(size: unknown): [number, number] {
  if (!Array.isArray(size) || size.length !== 2) throw new RleError('size must be [height, width]');
  const [h, w] = size;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0 || h > MAX_SIDE || w > MAX_SIDE) {
    throw new RleError(`invalid size ${JSON.stringify(size)}`);
  }
  return [h, w];
}

/** Runs of an RLE after checking them: non-negative integers summing to h*w. */
export function rleRuns(rle: Rle): number[] {
  const [h, w] = checkSize(rle.size);
  const runs = typeof rle.counts === 'string' ? stringToRuns(rle.counts) : Array.from(rle.counts);
  let total = 0;
  for (const run of runs) {
    if (!Number.isInteger(run) || run < 0) throw new RleError(`invalid run ${run}`);
    total += run;
  }
  if (total !== h * w) throw new RleError(`runs sum to ${total}, expected ${h * w}`);
  return runs;
}

/** Encodes a mask into COCO compressed RLE, identical to pycocotools' `mask.encode`. */
export function encode(mask: BinaryMask): CompressedRle {
  return { size: [mask.height, mask.width], counts: runsToString(maskToRuns(mask)) };
}

/** Decodes a COCO RLE (compressed or not) into a row-major mask; throws RleError on bad input. */
export function decode(rle: Rle): BinaryMask {
  const runs = rleRuns(rle);
  const [h, w] = rle.size;
  const data = new Uint8Array(w * h);
  // Walk the runs down the columns; a run of ones is written column piece by column piece.
  let position = 0; // column-major index
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r];
    if (r & 1) {
      let start = position;
      const end = position + run;
      while (start < end) {
        const x = Math.floor(start / h);
        const y0 = start - x * h;
        const y1 = Math.min(h, y0 + (end - start));
        for (let y = y0, i = y0 * w + x; y < y1; y++, i += w) data[i] = 1;
        start += y1 - y0;
      }
    }
    position += run;
  }
  return { width: w, height: h, data };
}

/** Converts compressed <-> uncompressed counts without touching pixels. */
export function compress(rle: Rle): CompressedRle {
  if (typeof rle.counts === 'string') return { size: [rle.size[0], rle.size[1]], counts: rle.counts };
  return { size: [rle.size[0], rle.size[1]], counts: runsToString(rleRuns(rle)) };
}

export function uncompress(rle: Rle): UncompressedRle {
  return { size: [rle.size[0], rle.size[1]], counts: rleRuns(rle) };
}

/** Pixel count inside, from the runs alone (pycocotools `area`). */
export function rleArea(rle: Rle): number {
  const runs = rleRuns(rle);
  let area = 0;
  for (let r = 1; r < runs.length; r += 2) area += runs[r];
  return area;
}

/** COCO bbox [x, y, w, h] with w = x_max - x_min + 1, as pycocotools `toBbox`; zeros if empty. */
export function rleBbox(rle: Rle): [number, number, number, number] {
  const runs = rleRuns(rle);
  const h = rle.size[0];
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  let position = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[r];
    if (r & 1 && run > 0) {
      const first = position;
      const last = position + run - 1;
      const x0 = Math.floor(first / h);
      const x1 = Math.floor(last / h);
      xMin = Math.min(xMin, x0);
      xMax = Math.max(xMax, x1);
      if (x0 !== x1) {
        // The run wraps to another column, so it covers the top and the bottom rows between them.
        yMin = 0;
        yMax = h - 1;
      } else {
        yMin = Math.min(yMin, first - x0 * h);
        yMax = Math.max(yMax, last - x1 * h);
      }
    }
    position += run;
  }
  if (xMin === Infinity) return [0, 0, 0, 0];
  return [xMin, yMin, xMax - xMin + 1, yMax - yMin + 1];
}

/** Number of pixels set in a mask. */
export function maskArea(mask: BinaryMask): number {
  let area = 0;
  for (let i = 0; i < mask.data.length; i++) area += mask.data[i] ? 1 : 0;
  return area;
}
