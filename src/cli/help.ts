// tandem-cli's `help`, as redis-cli 7.0 answers it: `help` alone prints how to ask, `help <command>
// [subcommand]` and `help @<group>` print each matching command's syntax, summary, since and
// group, built from the server's COMMAND DOCS (the syntax line follows redis-cli's rules: tokens,
// `[optional]`, `a|b` choices, `x [x ...]` repetition).

import { Reply } from '../protocol/reply-reader';
import { TANDEM_VERSION } from '../server/version';

export const GENERAL_HELP = `tandem-cli ${TANDEM_VERSION}
To get help about Redis commands type:
      "help @<group>" to get a list of commands in <group>
      "help <command>" for help on <command>
      "quit" to exit
`;

export interface HelpEntry {
  /** Upper-case words: ['SET'] or ['CLIENT', 'KILL']. */
  words: string[];
  params: string;
  summary: string;
  since: string | null;
  group: string;
}

/** The text of a string-ish reply, '' otherwise. */
function text(r: Reply | undefined): string {
  return r !== undefined && 'text' in r ? r.text : '';
}

/** A docs map (RESP3 map or RESP2 flat array) as field name -> value. */
function fields(r: Reply): Map<string, Reply> {
  const out = new Map<string, Reply>();
  if ('items' in r) for (let i = 0; i + 1 < r.items.length; i += 2) out.set(text(r.items[i]), r.items[i + 1]);
  return out;
}

function items(r: Reply | undefined): Reply[] {
  return r !== undefined && 'items' in r ? r.items : [];
}

const orQuotes = (s: string) => (s === '' ? '""' : s);

/** One argument of COMMAND DOCS as it appears in the syntax line. */
function argumentSyntax(arg: Reply): string {
  const f = fields(arg);
  const type = text(f.get('type'));
  const flags = new Set(items(f.get('flags')).map(text));
  const token = f.has('token') ? orQuotes(text(f.get('token'))) : '';
  let repeat = '';
  if (type === 'oneof') repeat = argumentsSyntax(items(f.get('arguments')), '|');
  else if (type === 'block') repeat = argumentsSyntax(items(f.get('arguments')), ' ');
  else if (type !== 'pure-token') repeat = orQuotes(text(f.get('name')));
  const tokenPart = token !== '' && type !== 'pure-token' ? `${token} ` : token;
  let s = tokenPart + repeat;
  if (flags.has('multiple')) s += ` [${flags.has('multiple_token') ? tokenPart : ''}${repeat} ...]`;
  return flags.has('optional') ? `[${s}]` : s;
}

export function argumentsSyntax(args: Reply[], separator: string): string {
  return args.map(argumentSyntax).join(separator);
}

/** Help entries for every command and subcommand in a COMMAND DOCS reply, sorted by name. */
export function helpEntries(docs: Reply): HelpEntry[] {
  const out: HelpEntry[] = [];
  const add = (words: string[], spec: Reply) => {
    const f = fields(spec);
    out.push({
      words,
      params: argumentsSyntax(items(f.get('arguments')), ' '),
      summary: text(f.get('summary')),
      since: f.has('since') ? text(f.get('since')) : null,
      group: text(f.get('group')),
    });
    for (const [sub, subSpec] of fields(f.get('subcommands') ?? { kind: 'nil' })) {
      add([words[0], sub.slice(sub.indexOf('|') + 1).toUpperCase()], subSpec);
    }
  };
  for (const [name, spec] of fields(docs)) add([name.toUpperCase()], spec);
  const full = (e: HelpEntry) => e.words.join(' ').toLowerCase();
  return out.sort((a, b) => (full(a) < full(b) ? -1 : full(a) > full(b) ? 1 : 0));
}

function entryText(e: HelpEntry, withGroup: boolean): string {
  let s = `\r\n  \x1b[1m${e.words.join(' ')}\x1b[0m \x1b[90m${e.params}\x1b[0m\r\n  \x1b[33msummary:\x1b[0m ${e.summary}\r\n`;
  if (e.since !== null) s += `  \x1b[33msince:\x1b[0m ${e.since}\r\n`;
  if (withGroup) s += `  \x1b[33mgroup:\x1b[0m ${e.group}\r\n`;
  return s;
}

/** The output of `help <args...>` (args non-empty) over the given entries. */
export function helpText(entries: HelpEntry[], args: string[]): string {
  let out = '';
  if (args[0].startsWith('@')) {
    const group = args[0].slice(1).toLowerCase();
    for (const e of entries) if (e.group.toLowerCase() === group) out += entryText(e, false);
  } else {
    const wanted = args.map((a) => a.toUpperCase());
    for (const e of entries) {
      if (wanted.length <= e.words.length && wanted.every((w, i) => w === e.words[i])) out += entryText(e, true);
    }
  }
  return out + '\r\n';
}
