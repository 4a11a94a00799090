// The codec must agree with pycocotools byte for byte: vectors come from scripts/make_rle_vectors.py.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compress, decode, encode, maskToRuns, rleArea, rleBbox, RleError, runsToString, stringToRuns,
  uncompress, type BinaryMask,
} from './rle';

interface Vector {
  name: string; height: number; width: number; bits: string; counts: string; runs: number[];
  area: number; bbox: [number, number, number, number];
}

const vectorsPath = process.env.RLE_VECTORS ?? resolve(__dirname, '../../test-data/rle_vectors.json');

function loadVectors(): Vector[] {
  if (!existsSync(vectorsPath)) {
    throw new Error(`${vectorsPath} is missing: run frontend/test.sh (it runs scripts/make_rle_vectors.py)`);
  }
  return JSON.parse(readFileSync(vectorsPath, 'utf8')).vectors;
}

function unpack(v: Vector): BinaryMask {
  const packed = Buffer.from(v.bits, 'base64');
  const data = new Uint8Array(v.width * v.height);
  for (let i = 0; i < data.length; i++) data[i] = (packed[i >> 3] >> (7 - (i & 7))) & 1;
  return { width: v.width, height: v.height, data };
}

const vectors = loadVectors();

describe('RLE against pycocotools vectors', () => {
  it('has vectors', () => expect(vectors.length).toBeGreaterThan(20));

  for (const v of vectors) {
    it(`${v.name} (${v.height}x${v.width})`, () => {
      const mask = unpack(v);
      expect(maskToRuns(mask)).toEqual(v.runs);
      const rle = encode(mask);
      expect(rle.size).toEqual([v.height, v.width]);
      expect(rle.counts).toBe(v.counts);
      expect(stringToRuns(v.counts)).toEqual(v.runs);
      expect(runsToString(v.runs)).toBe(v.counts);
      const back = decode({ size: [v.height, v.width], counts: v.counts });
      expect(Buffer.from(back.data).equals(Buffer.from(mask.data))).toBe(true);
      const backUncompressed = decode({ size: [v.height, v.width], counts: v.runs });
      expect(Buffer.from(backUncompressed.data).equals(Buffer.from(mask.data))).toBe(true);
      expect(rleArea(rle)).toBe(v.area);
      expect(rleBbox(rle)).toEqual(v.bbox);
      expect(compress(uncompress(rle))).toEqual(rle);
    });
  }
});

describe('RLE input checks', () => {
  it('rejects counts that do not sum to h*w', () => {
    expect(() => decode({ size: [2, 2], counts: [1, 2] })).toThrow(RleError);
    expect(() => decode({ size: [2, 2], counts: runsToString([1, 5]) })).toThrow(RleError);
  });
  it('rejects negative runs and bad sizes', () => {
    expect(() => decode({ size: [2, 2], counts: [5, -1] })).toThrow(RleError);
    expect(() => decode({ size: [-1, 2] as [number, number], counts: [] })).toThrow(RleError);
    expect(() => decode({ size: [1e9, 1e9], counts: [] })).toThrow(RleError);
    expect(() => decode({ size: [2, 2, 2] as unknown as [number, number], counts: [4] })).toThrow(RleError);
  });
  it('rejects truncated or out-of-alphabet strings', () => {
    expect(() => stringToRuns('o')).toThrow(RleError); // continuation bit set on the last char
    expect(() => stringToRuns('0 1')).toThrow(RleError);
  });
  it('handles runs past 2^31 like pycocotools (arithmetic, not 32-bit)', () => {
    const runs = [3_000_000_000, 7, 2_999_999_000];
    expect(stringToRuns(runsToString(runs))).toEqual(runs);
  });
  it('encodes an empty-area image like pycocotools (one zero-length run)', () => {
    expect(maskToRuns({ width: 0, height: 0, data: new Uint8Array(0) })).toEqual([0]);
  });
});
