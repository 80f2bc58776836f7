// CRC-64/Jones, the checksum Redis appends to RDB files (and uses for DUMP payloads): reflected,
// polynomial 0xad93d23594c935a9, initial value 0, no final xor. "123456789" -> 0xe9c6d914c4b8d9ca.
//
// JS has no fast 64-bit integers, so the register is kept as two uint32 halves and the tables
// are split the same way. Slicing-by-8 (eight tables, eight input bytes per step) makes it fast
// enough to checksum a whole RDB stream as it is produced; see test/unit/crc64.test.ts. Words are
// read through an Int32Array view, which assumes a little-endian host (every platform Node 20
// ships for).

const POLY_LO = 0x94c935a9;
const POLY_HI = 0xad93d235;

// Reflected polynomial: bits of POLY in reverse order.
function reflect32(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (x & 1);
    x >>>= 1;
  }
  return r >>> 0;
}

const RPOLY_LO = reflect32(POLY_HI);
const RPOLY_HI = reflect32(POLY_LO);

/**
 * TABLE_LO[k * 256 + n] / TABLE_HI[...]: slice k of the slicing-by-8 tables. Int32Array and
 * signed operators keep every intermediate a small integer for V8 (uint32 values above 2^31
 * would become heap doubles and run several times slower).
 */
const TABLE_LO = new Int32Array(8 * 256);
const TABLE_HI = new Int32Array(8 * 256);

for (let n = 0; n < 256; n++) {
  let lo = n;
  let hi = 0;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = (lo >>> 1) | (hi << 31);
    hi = hi >>> 1;
    if (carry) {
      lo ^= RPOLY_LO;
      hi ^= RPOLY_HI;
    }
  }
  TABLE_LO[n] = lo;
  TABLE_HI[n] = hi;
}
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const plo = TABLE_LO[(k - 1) * 256 + n];
    const phi = TABLE_HI[(k - 1) * 256 + n];
    const idx = plo & 0xff;
    TABLE_LO[k * 256 + n] = ((plo >>> 8) | (phi << 24)) ^ TABLE_LO[idx];
    TABLE_HI[k * 256 + n] = (phi >>> 8) ^ TABLE_HI[idx];
  }
}

/** A running CRC-64/Jones; feed it bytes in any chunking, read `value` at the end. */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let lo = this.lo | 0;
    let hi = this.hi | 0;
    let i = start;
    const TL = TABLE_LO;
    const TH = TABLE_HI;
    // Bytes one at a time until the address is 4-byte aligned, then two int32 words per step.
    for (; i < end && ((buf.byteOffset + i) & 3) !== 0; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx];
      hi = (hi >>> 8) ^ TH[idx];
    }
    const words = (end - i) >> 3;
    if (words > 0) {
      const w = new Int32Array(buf.buffer, buf.byteOffset + i, words * 2);
      for (let k = 0; k < w.length; k += 2) {
        const a = lo ^ w[k];
        const b = hi ^ w[k + 1];
        const i7 = 1792 + (a & 0xff);
        const i6 = 1536 + ((a >>> 8) & 0xff);
        const i5 = 1280 + ((a >>> 16) & 0xff);
        const i4 = 1024 + (a >>> 24);
        const i3 = 768 + (b & 0xff);
        const i2 = 512 + ((b >>> 8) & 0xff);
        const i1 = 256 + ((b >>> 16) & 0xff);
        const i0 = b >>> 24;
        lo = TL[i7] ^ TL[i6] ^ TL[i5] ^ TL[i4] ^ TL[i3] ^ TL[i2] ^ TL[i1] ^ TL[i0];
        hi = TH[i7] ^ TH[i6] ^ TH[i5] ^ TH[i4] ^ TH[i3] ^ TH[i2] ^ TH[i1] ^ TH[i0];
      }
      i += words * 8;
    }
    for (; i < end; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx];
      hi = (hi >>> 8) ^ TH[idx];
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  /** The checksum as 8 little-endian bytes, as RDB files store it. */
  digestLE(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeInt32LE(this.lo, 0);
    out.writeInt32LE(this.hi, 4);
    return out;
  }

  get value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }
}

/** CRC-64/Jones of a whole buffer. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): bigint {
  return new Crc64().update(buf, start, end).value;
}
