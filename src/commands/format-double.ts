// Redis 7.0's text for a double reply (addReplyDouble: ZSCORE, WITHSCORES, ZINCRBY, ZSCAN's
// d2string): printf "%.17g", e.g. 1.1 -> "1.1000000000000001", 1e20 -> "1e+20", and
// "inf"/"-inf" spelled out. HINCRBYFLOAT's long-double text lives with INCRBYFLOAT (strings.ts).

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
