// LZF, the compression Redis applies to RDB strings longer than 20 bytes (`rdbcompression yes`).
// A stream is a sequence of runs: a control byte below 32 starts a literal run of ctrl+1 bytes;
// otherwise its top 3 bits are a match length (7 = "read one more length byte") and the other 5
// bits plus the next byte an offset back into the output.
//
// The compressor follows liblzf's scheme (hash of the next 3 bytes -> last position seen, offsets
// below 8 KiB, matches up to 264 bytes), so ratios are in line with Redis's. Its hash table is
// shared across calls and entries are tagged with a per-call base instead of being cleared: RDB
// writing compresses many short strings and clearing 64K slots per call would dominate.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

const htab = new Int32Array(HSIZE);
/** Table entries hold position + base; entries below the current base are from earlier calls. */
let base = 1;

function slot(v: number): number {
  return ((v >>> (3 * 8 - HLOG)) - v * 5) & (HSIZE - 1);
}

/**
 * Compresses input[inStart, inEnd) into out[outStart, outEnd). Returns the compressed length, or
 * 0 when the result would not fit (the caller then stores the data uncompressed).
 */
export function lzfCompress(input: Uint8Array, inStart: number, inEnd: number, out: Uint8Array, outStart: number, outEnd: number): number {
  const inLen = inEnd - inStart;
  if (inLen === 0) return 0;
  if (base > 0x3fffffff - inLen) {
    htab.fill(0);
    base = 1;
  }
  const b = base - inStart;
  base += inLen + 1;

  let ip = inStart;
  let op = outStart;
  let lit = 0;
  op++; // room for the control byte of the first literal run
  let hval = (input[ip] << 8) | input[ip + 1];
  while (ip < inEnd) {
    // A match needs 3 bytes; the last two bytes can only be literals.
    if (ip < inEnd - 2) {
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
      const h = slot(hval);
      const tagged = htab[h];
      htab[h] = ip + b;
      const ref = tagged - b;
      const off = ip - ref - 1;
      if (tagged >= b + inStart && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
        let len = 2;
        let maxlen = inEnd - ip - len;
        if (maxlen > MAX_REF) maxlen = MAX_REF;
        if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
        out[op - lit - 1] = lit - 1; // close the literal run
        if (lit === 0) op--; // an empty run takes no control byte
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
        len -= 2;
        ip++;
        if (len < 7) {
          out[op++] = (off >>> 8) + (len << 5);
        } else {
          out[op++] = (off >>> 8) + (7 << 5);
          out[op++] = len - 7;
        }
        out[op++] = off & 0xff;
        lit = 0;
        op++;
        ip += len + 1;
        if (ip < inEnd - 2) {
          // Index the last two positions of the match so that the next match can start there.
          ip -= 2;
          hval = (input[ip] << 8) | input[ip + 1];
          hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
          htab[slot(hval)] = ip + b;
          ip++;
          hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
          htab[slot(hval)] = ip + b;
          ip++;
          hval = (input[ip] << 8) | input[ip + 1];
        }
        continue;
      }
    }
    if (op >= outEnd) return 0;
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (op - (lit === 0 ? 1 : 0) > outEnd) return 0;
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return op - outStart;
}

const typedArrayFill = Uint8Array.prototype.fill;

/** Thrown on a malformed stream or a length mismatch. */
export class LzfError extends Error {}

/**
 * Decompresses input[start, end) into exactly `outLen` bytes, written to `out` (from 0) when
 * given and large enough, else to a new Buffer. Returns the Buffer holding the result.
 */
export function lzfDecompress(input: Uint8Array, start: number, end: number, outLen: number, out?: Buffer): Buffer {
  if (out === undefined || out.length < outLen) out = Buffer.allocUnsafe(outLen);
  let ip = start;
  let op = 0;
  while (ip < end) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen) throw new LzfError('output overrun');
      if (ip + ctrl > end) throw new LzfError('input overrun');
      for (let i = 0; i < ctrl; i++) out[op++] = input[ip++];
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= end) throw new LzfError('input overrun');
        len += input[ip++];
      }
      if (ip >= end) throw new LzfError('input overrun');
      let ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++];
      len += 2;
      if (op + len > outLen) throw new LzfError('output overrun');
      if (ref < 0) throw new LzfError('back reference before the start');
      // A reference may overlap the bytes it produces (runs), so the general case goes byte by
      // byte; long runs of one byte (padding) and long distant copies go native. The run goes
      // through TypedArray's fill, not Buffer's (whose argument checks cost ~40 ns a call: 137 ->
      // 97 ms for 1M 100-byte values padded with NULs, the bench's dataset).
      if (len >= 16 && op - ref === 1) {
        typedArrayFill.call(out, out[ref], op, op + len);
        op += len;
      } else if (len >= 16 && op - ref >= len) {
        out.copyWithin(op, ref, ref + len);
        op += len;
      } else for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new LzfError(`decompressed ${op} bytes, expected ${outLen}`);
  return out;
}
