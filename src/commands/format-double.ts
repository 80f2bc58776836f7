// Redis 7.0's textual forms of doubles, so replies match byte for byte.
//
// - formatDouble: what addReplyDouble sends (ZSCORE, WITHSCORES, ZINCRBY): printf "%.17g",
//   e.g. 1.1 -> "1.1000000000000001", 1e20 -> "1e+20", and "inf"/"-inf".
// - formatHumanDouble: what HINCRBYFLOAT stores and replies. Redis sums in long double and prints
//   "%.17Lf" with trailing zeros trimmed; we sum in double and print the shortest round-trip
//   digits in plain (never exponent) notation, which gives the same text for everyday values
//   (10.5 + 0.1 -> "10.6") but not where long double's extra precision shows (1e20 + 10.6).

/** printf("%.17g", d) with Redis's explicit "inf"/"-inf". */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // toExponential(16) gives the 17 significant digits correctly rounded, as glibc does.
  const exp = d.toExponential(16);
  const e = exp.indexOf('e');
  const sign = d < 0 ? '-' : '';
  const digits = exp.slice(sign.length, e).replace('.', '');
  const x = Number(exp.slice(e + 1));
  if (x < -4 || x >= 17) {
    let mant = digits[0] + '.' + digits.slice(1);
    mant = mant.replace(/\.?0+$/, '');
    const ax = Math.abs(x);
    return sign + mant + 'e' + (x < 0 ? '-' : '+') + (ax < 10 ? '0' + ax : String(ax));
  }
  let s: string;
  if (x >= 0) s = digits.slice(0, x + 1) + '.' + digits.slice(x + 1);
  else s = '0.' + '0'.repeat(-x - 1) + digits;
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return sign + s;
}

/** A finite double in plain decimal notation with no trailing zeros (HINCRBYFLOAT's output). */
export function formatHumanDouble(d: number): string {
  if (d === 0) return '0';
  const s = String(d);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = d < 0 ? '-' : '';
  const digits = s.slice(sign.length, e).replace('.', '');
  const x = Number(s.slice(e + 1));
  if (x >= 0) return sign + digits + '0'.repeat(Math.max(0, x + 1 - digits.length));
  return sign + '0.' + '0'.repeat(-x - 1) + digits;
}
