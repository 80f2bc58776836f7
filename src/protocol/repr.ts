// Quotes a byte string the way Redis's sdscatrepr does: in double quotes, with \\ \" \n \r \t
// \a \b escaped and other non-printable bytes as \xHH. Used by MONITOR, the log and redis-cli
// style output.

export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    switch (ch) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += ch >= 0x20 && ch < 0x7f ? s[i] : '\\x' + ch.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}
