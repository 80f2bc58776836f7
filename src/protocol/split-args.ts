// Splits one line into arguments the way Redis does for inline commands and redis.conf lines:
// whitespace separates words; "double quotes" allow \n \r \t \b \a \\ \" and \xHH escapes;
// 'single quotes' allow only \'. A closing quote must be followed by whitespace or the end.
//
// Returns null when the quotes are unbalanced (callers turn that into Redis's own message:
// "unbalanced quotes in request" for the protocol, "Unbalanced quotes in configuration line"
// for config files). Strings are latin1: one char per byte, binary safe.

const HEX = /^[0-9a-fA-F]{2}$/;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\v' || ch === '\f';
}

export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      if (inDouble) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && i + 3 < n && line[i + 1] === 'x' && HEX.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else if (inSingle) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && i + 1 < n && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          done = true;
        } else {
          cur += ch;
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const ch = line[i];
        if (isSpace(ch)) {
          done = true;
        } else if (ch === '"') {
          inDouble = true;
        } else if (ch === "'") {
          inSingle = true;
        } else {
          cur += ch;
        }
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}
