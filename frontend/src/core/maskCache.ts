// Decoded masks kept by a key that changes with their pixels (a row's id and version, an object's
// frame and update time), so redrawing does not decode the same RLE again. Least recently used go.
import { decode, type BinaryMask, type CompressedRle } from './rle';

export class DecodedMasks {
  private readonly masks = new Map<string, BinaryMask>();

  constructor(private readonly limit = 256) {}

  get(key: string, rle: CompressedRle): BinaryMask {
    let mask = this.masks.get(key);
    if (mask) {
      this.masks.delete(key);
    } else {
      mask = decode(rle);
      while (this.masks.size >= this.limit) this.masks.delete(this.masks.keys().next().value as string);
    }
    this.masks.set(key, mask);
    return mask;
  }
}
