// Prints replies exactly as redis-cli 7.0 does. Two modes, chosen like redis-cli chooses them:
// 'standard' when stdout is a terminal (typed values: `(integer) 1`, `(nil)`, quoted strings,
// numbered nested arrays) and 'raw' when it is not (bare values one per line), overridable with
// --raw / --no-raw.

import { repr } from '../protocol/repr';
import { Reply } from '../protocol/reply-reader';

export type OutputMode = 'standard' | 'raw';

const EMPTY_AGGREGATE: Record<string, string> = {
  array: '(empty array)',
  map: '(empty hash)',
  set: '(empty set)',
  push: '(empty push)',
};

/** The complete output for one reply, including its trailing newline. */
export function formatReply(r: Reply, mode: OutputMode): string {
  return mode === 'standard' ? formatStandard(r, '') : formatRaw(r) + '\n';
}

/**
 * Whether a reply takes several lines in standard mode: a map value that does gets its own
 * line, so that its numbered items line up.
 */
function isMultiline(r: Reply): boolean {
  switch (r.kind) {
    case 'array':
    case 'set':
    case 'push':
      return r.items.length > 1 || (r.items.length === 1 && isMultiline(r.items[0]));
    case 'map':
      return r.items.length > 2 || (r.items.length === 2 && isMultiline(r.items[1]));
    default:
      return false;
  }
}

/**
 * `prefix` is the indentation of the enclosing aggregate: every line but the first of a nested
 * aggregate starts with it (the first continues the parent's `N) ` line).
 */
function formatStandard(r: Reply, prefix: string): string {
  switch (r.kind) {
    case 'error':
      return `(error) ${r.text}\n`;
    case 'status':
    case 'verbatim':
      return `${r.text}\n`;
    case 'integer':
      return `(integer) ${r.text}\n`;
    case 'double':
      return `(double) ${r.text}\n`;
    case 'bignum':
      return `(big number) ${r.text}\n`;
    case 'string':
      return `${repr(r.text)}\n`;
    case 'nil':
      return '(nil)\n';
    case 'bool':
      return r.value ? '(true)\n' : '(false)\n';
    default: {
      if (r.items.length === 0) return `${EMPTY_AGGREGATE[r.kind]}\n`;
      const isMap = r.kind === 'map';
      const count = isMap ? r.items.length / 2 : r.items.length;
      const width = String(count).length;
      const nested = prefix + ' '.repeat(width + 2);
      const sep = r.kind === 'set' ? '~' : isMap ? '#' : ')';
      let out = '';
      for (let n = 0; n < count; n++) {
        out += `${n === 0 ? '' : prefix}${String(n + 1).padStart(width)}${sep} `;
        if (!isMap) {
          out += formatStandard(r.items[n], nested);
          continue;
        }
        const value = r.items[2 * n + 1];
        out += formatStandard(r.items[2 * n], nested).slice(0, -1) + ' => ';
        if (isMultiline(value)) out += '\n' + nested;
        out += formatStandard(value, nested);
      }
      return out;
    }
  }
}

/** Raw mode: values without decoration, aggregate items one per line, map pairs as `key value`. */
function formatRaw(r: Reply): string {
  switch (r.kind) {
    case 'nil':
      return '';
    case 'error':
      return `${r.text}\n`;
    case 'bool':
      return r.value ? '(true)' : '(false)';
    case 'array':
    case 'set':
    case 'push':
      return r.items.map(formatRaw).join('\n');
    case 'map': {
      const pairs: string[] = [];
      for (let i = 0; i < r.items.length; i += 2) pairs.push(`${formatRaw(r.items[i])} ${formatRaw(r.items[i + 1])}`);
      return pairs.join('\n');
    }
    default:
      return r.text;
  }
}
