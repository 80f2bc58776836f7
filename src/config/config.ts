// The live configuration: the value of every directive in config-table.ts, parsed and checked the
// way Redis 7.0 parses them (config.c): yes/no booleans, string2ll integers, memtoull memory sizes
// with k/kb/m/mb/g/gb units, octal, enums (case-insensitive; shutdown-on-* take several flags),
// range checks, and the multi-argument specials. Reading a value is a Map lookup of the
// already-typed value, so modules can read config on hot paths.
//
// Directives that are not CONFIG parameters (user, rename-command, loadmodule, sentinel) are
// kept as raw argument lists for the modules that own them.
//
// Errors: parsing throws ConfigError whose message is Redis's reason text (e.g. "argument must be
// 'yes' or 'no'"); config-file.ts adds the FATAL CONFIG FILE ERROR framing, CONFIG SET the
// "ERR CONFIG SET failed (possibly related to argument 'x') - " prefix.
//
// Setting a value has effects of two kinds, as in Redis: `dir` changes the working directory
// while it is set (so a bad dir fails right there), and watchers (config.watch) run after CONFIG
// SET changed a value; a watcher refusing the value rolls the whole CONFIG SET back.

import { CONFIG_DEFS, ConfigDef, LLONG_MAX } from './config-table';

export class ConfigError extends Error {}

export type ConfigValue = string | number | boolean;

/** A client-output-buffer-limit class: hard limit, soft limit (bytes) and soft seconds. */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type OutputBufferClass = 'normal' | 'slave' | 'pubsub';

const OUTPUT_BUFFER_CLASSES: OutputBufferClass[] = ['normal', 'slave', 'pubsub'];

/** Hooks run after a value changes at runtime; return an error message to refuse it. */
export interface LiveValue {
  value: ConfigValue;
}

export type ConfigHook = (value: ConfigValue, name: string) => string | void;

/** Where a value comes from: a config file / command line line, or CONFIG SET. */
export type ConfigSource = 'file' | 'runtime';

const LLONG_MIN = -LLONG_MAX - 1n;
const MIN_HZ = 1n;
const MAX_HZ = 500n;
const MIN_REPL_BACKLOG = 16n * 1024n;
const NO_ACTIVE_DEFRAG =
  'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution';

function clamp(n: bigint, min: bigint, max: bigint): bigint {
  return n < min ? min : n > max ? max : n;
}
const TWO_64 = 1n << 64n;
const MAX_BIND_ADDRESSES = 16;

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n * 1000n, mb: 1024n * 1024n, g: 1000n * 1000n * 1000n, gb: 1024n * 1024n * 1024n,
};

/**
 * Redis's memtoull(): digits then an optional unit. Overflow is not detected (strtoull saturates
 * and the multiplication wraps), exactly as in C; callers range-check the result.
 */
export function memtoull(text: string): bigint | null {
  const m = /^(\d*)([a-zA-Z]*)$/.exec(text);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  let digits = m[1] === '' ? 0n : BigInt(m[1]);
  if (digits >= TWO_64) digits = TWO_64 - 1n;
  return (digits * unit) % TWO_64;
}

/** Parses "1gb", "100mb", "512k", "1024" into bytes; null when malformed. */
export function parseMemory(text: string): number | null {
  const v = memtoull(text);
  return v === null ? null : Number(v);
}

/** Redis's string2ll(): optional '-', no '+', no spaces, no leading zeros, 64-bit range. */
export function parseLongLong(text: string): bigint | null {
  if (!/^(0|-?[1-9]\d*)$/.test(text)) return null;
  const n = BigInt(text);
  return n < LLONG_MIN || n > LLONG_MAX ? null : n;
}

/** C's strtoll(s, &end, 10) followed by a check that the whole string was used ("" is 0). */
function strtollWhole(text: string): number | null {
  if (text === '') return 0;
  return /^[ \t\n\v\f\r]*[+-]?\d+$/.test(text) ? Number(text.trim()) : null;
}

/** Redis's byte-size formatting in rewritten config files: 1gb, 64mb, 8kb or plain bytes. */
export function formatMemory(bytes: number): string {
  const units: Array<[number, string]> = [[1024 * 1024 * 1024, 'gb'], [1024 * 1024, 'mb'], [1024, 'kb']];
  for (const [size, suffix] of units) if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

/** The text of C's strerror() for the errno behind a Node error. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory',
    ENOTDIR: 'Not a directory',
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    EISDIR: 'Is a directory',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
    ELOOP: 'Too many levels of symbolic links',
    ENAMETOOLONG: 'File name too long',
    EEXIST: 'File exists',
  };
  return texts[code] ?? (e as Error).message;
}

/** Notification classes in the order Redis prints them; 'A' is all of g$lshzxetd. */
const KEYSPACE_EVENT_CLASSES = 'g$lshzxetdn';
const KEYSPACE_EVENTS_ALL = 'g$lshzxetd';

function canonicalKeyspaceEvents(v: string): string {
  const set = new Set<string>();
  for (const ch of v) {
    if (ch === 'A') for (const a of KEYSPACE_EVENTS_ALL) set.add(a);
    else if (KEYSPACE_EVENT_CLASSES.includes(ch) || ch === 'K' || ch === 'E' || ch === 'm') set.add(ch);
    else throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  const all = [...KEYSPACE_EVENTS_ALL].every((c) => set.has(c));
  let out = all ? 'A' : [...KEYSPACE_EVENT_CLASSES].filter((c) => set.has(c)).join('');
  for (const c of 'KEm') if (set.has(c)) out += c;
  // Redis prints 'A' without the 'n' it still honours; the stored text keeps it, CONFIG GET drops it.
  if (all && set.has('n')) out += 'n';
  return out;
}

/** notify-keyspace-events as Redis prints it: 'A' hides an enabled 'n' (Redis 7.0 quirk). */
function displayKeyspaceEvents(stored: string): string {
  return stored.startsWith('A') ? stored.replace('n', '') : stored;
}

/** proc-title-template: only the variables Redis knows, balanced braces, not empty. */
function validProcTitleTemplate(t: string): boolean {
  const known = ['{title}', '{listen-addr}', '{server-mode}', '{port}', '{tls-port}', '{unixsocket}', '{config-file}'];
  if (t.trim() === '') return false;
  const rest = t.replace(/\{[^{}]*\}/g, (m) => (known.includes(m) ? '' : '\0'));
  return !/[{}\0]/.test(rest);
}

/** Checks that apply to one string directive (Redis's per-config validators). */
function checkString(name: string, v: string): void {
  switch (name) {
    case 'dbfilename':
      if (v.includes('/')) throw new ConfigError("dbfilename can't be a path, just a filename");
      return;
    case 'appendfilename':
      if (v === '') throw new ConfigError("appendfilename can't be empty");
      if (v.includes('/')) throw new ConfigError("appendfilename can't be a path, just a filename");
      return;
    case 'appenddirname':
      if (v === '') throw new ConfigError("appenddirname can't be empty");
      if (v.includes('/')) throw new ConfigError("appenddirname can't be a path, just a dirname");
      return;
    case 'cluster-announce-hostname':
      if (!/^[A-Za-z0-9.-]*$/.test(v)) throw new ConfigError('Hostnames may only contain alphanumeric characters, hyphens or dots');
      return;
    case 'proc-title-template':
      if (!validProcTitleTemplate(v)) throw new ConfigError('template format is invalid or contains unknown variables');
      return;
  }
}

/** One parameter of a CONFIG SET. */
export interface ConfigAssignment {
  def: ConfigDef;
  value: string;
  /** The name it was set by (an alias names itself in errors, as in Redis); def.name if absent. */
  name?: string;
}

/** Why an atomic CONFIG SET failed: the parameter to blame (as it was named) and the reason. */
export interface ConfigSetFailure {
  name: string;
  reason: string;
  /** True when a watcher refused the value (Redis logs "Failed applying new configuration"). */
  applyFailed: boolean;
}

export class Config {
  private defs = new Map<string, ConfigDef>();
  private text = new Map<string, string>();
  private typed = new Map<string, ConfigValue>();
  private hooks = new Map<string, ConfigHook[]>();
  private liveValues = new Map<string, LiveValue>();
  /** Names set by the config file or command line (for 'save' line merging and protected-mode). */
  private fromFile = new Set<string>();
  private outputLimits = new Map<OutputBufferClass, OutputBufferLimit>();
  /** Values kept by the module that owns them (replicaof: the replication state), as getters. */
  private providers = new Map<string, () => string>();

  /** Non-CONFIG directives, in file order, as argument lists (without the directive name). */
  readonly users: string[][] = [];
  readonly renames: Array<[string, string]> = [];
  readonly sentinel: string[][] = [];
  readonly modules: string[][] = [];
  /** Module parameters (`name.param value`), which only a loaded module could accept. */
  readonly moduleConfigs: string[][] = [];

  /** Set before loading when the server runs as a sentinel: `sentinel` directives are allowed. */
  sentinelMode = false;

  /** The config file's absolute path, if the server was started with one (CONFIG REWRITE target). */
  file = '';

  constructor(defs: ConfigDef[] = CONFIG_DEFS) {
    for (const d of defs) {
      this.defs.set(d.name, d);
      for (const a of d.aliases ?? []) this.defs.set(a, d);
    }
    for (const d of defs) this.store(d, d.default);
  }

  /** The definition for a name or alias (case-insensitive), or undefined. */
  def(name: string): ConfigDef | undefined {
    return this.defs.get(name.toLowerCase());
  }

  /** All canonical definitions. */
  allDefs(): ConfigDef[] {
    return [...new Set(this.defs.values())];
  }

  /** Names (canonical and aliases) that CONFIG GET patterns match against (not hidden ones). */
  allNames(): string[] {
    return [...this.defs.entries()].filter(([, d]) => !d.hidden).map(([n]) => n);
  }

  /** The value as CONFIG GET prints it. */
  getText(name: string): string {
    const d = this.def(name);
    if (!d) throw new ConfigError(`unknown config '${name}'`);
    if (d.name === 'dir') return process.cwd();
    if (d.name === 'notify-keyspace-events') return displayKeyspaceEvents(this.text.get(d.name)!);
    const provider = this.providers.get(d.name);
    return provider ? provider() : this.text.get(d.name)!;
  }

  /** True when the value is the default (CONFIG REWRITE then need not write it). */
  isDefault(d: ConfigDef): boolean {
    return this.getText(d.name) === d.default;
  }

  /**
   * Lets the module that owns a value report it live (CONFIG GET, CONFIG REWRITE), as Redis
   * reads e.g. replicaof from its replication state rather than from what the file said.
   */
  provide(name: string, getter: () => string): void {
    this.providers.set(this.def(name)!.name, getter);
  }

  get(name: string): ConfigValue {
    return this.typed.get(name)!;
  }

  int(name: string): number {
    return this.typed.get(name) as number;
  }

  bool(name: string): boolean {
    return this.typed.get(name) as boolean;
  }

  str(name: string): string {
    return this.typed.get(name) as string;
  }

  outputBufferLimit(cls: OutputBufferClass): OutputBufferLimit {
    return this.outputLimits.get(cls)!;
  }

  wasSetInFile(name: string): boolean {
    const d = this.def(name);
    return d !== undefined && this.fromFile.has(d.name);
  }

  /**
   * A holder whose `value` always is the directive's typed value, for checks that run on every
   * command and should not pay a Map lookup (kept by store(), so every way of setting counts).
   */
  live(name: string): LiveValue {
    const d = this.def(name);
    if (!d) throw new Error(`live: unknown config ${name}`);
    let live = this.liveValues.get(d.name);
    if (live === undefined) {
      live = { value: this.typed.get(d.name)! };
      this.liveValues.set(d.name, live);
    }
    return live;
  }

  /** Runs `hook` whenever `name` changes at runtime (CONFIG SET). */
  watch(name: string, hook: ConfigHook): void {
    const d = this.def(name);
    if (!d) throw new Error(`watch: unknown config ${name}`);
    const list = this.hooks.get(d.name) ?? [];
    list.push(hook);
    this.hooks.set(d.name, list);
  }

  /**
   * Sets one directive from its arguments (a config-file line without the name, or one CONFIG SET
   * value). Throws ConfigError with Redis's reason on bad input; a watcher's refusal restores the
   * previous value.
   */
  set(name: string, args: string[], source: ConfigSource): void {
    const d = this.def(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    if (source === 'runtime') {
      if (d.immutable) throw new ConfigError("can't set immutable config");
      const failure = this.setAtomically([{ def: d, value: args.join(' ') }]);
      if (failure !== null) throw new ConfigError(failure.reason);
      return;
    }
    if (!d.multiArg && args.length !== 1) throw new ConfigError('wrong number of arguments');
    this.store(d, this.parse(d, args, 'file'));
    this.fromFile.add(d.name);
  }

  /**
   * CONFIG SET of several parameters as one change: every value is parsed and stored, then the
   * watchers of those that changed run; any failure restores every previous value (and runs the
   * watchers again with them) and reports which parameter to blame.
   */
  setAtomically(assignments: ConfigAssignment[]): ConfigSetFailure | null {
    const previous = assignments.map((a) => this.text.get(a.def.name)!);
    const changed: ConfigDef[] = [];
    const restore = (upTo: number): void => {
      for (let i = upTo - 1; i >= 0; i--) this.store(assignments[i].def, previous[i]);
    };
    for (let i = 0; i < assignments.length; i++) {
      const { def, value } = assignments[i];
      try {
        // A multi-argument value is split on single spaces, as sdssplitlen() does.
        const args = def.multiArg ? (value === '' ? [] : value.split(' ')) : [value];
        const text = this.parse(def, args, 'runtime');
        if (text !== this.text.get(def.name) && !changed.includes(def)) changed.push(def);
        this.store(def, text);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        restore(i);
        return { name: assignments[i].name ?? def.name, reason: e.message, applyFailed: false };
      }
    }
    for (const def of changed) {
      const err = this.runHooks(def);
      if (err !== null) {
        restore(assignments.length);
        for (const d of changed) this.runHooks(d);
        return { name: assignments.find((a) => a.def === def)!.name ?? def.name, reason: err, applyFailed: true };
      }
    }
    return null;
  }

  private runHooks(d: ConfigDef): string | null {
    for (const hook of [...(this.hooks.get(d.name) ?? [])]) {
      const err = hook(this.typed.get(d.name)!, d.name);
      if (typeof err === 'string') return err;
    }
    return null;
  }

  /** Turns arguments into the canonical CONFIG GET text, validating them. */
  private parse(d: ConfigDef, args: string[], source: ConfigSource): string {
    if (d.kind === 'special') return this.parseSpecial(d, args, source);
    if (d.kind === 'enum') return this.parseEnum(d, args);
    const v = args[0];
    switch (d.kind) {
      case 'bool': {
        const l = v.toLowerCase();
        if (l !== 'yes' && l !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
        if (d.name === 'activedefrag' && l === 'yes') throw new ConfigError(NO_ACTIVE_DEFRAG);
        return l;
      }
      case 'int': {
        const n = parseLongLong(v);
        if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
        this.checkRange(d, n);
        // hz is kept within what the cron can do, and shown so (Redis's updateHZ).
        return String(d.name === 'hz' ? clamp(n, MIN_HZ, MAX_HZ) : n);
      }
      case 'memory':
        return this.parseMemoryValue(d, v, source);
      case 'octal': {
        if (!/^[ \t\n\v\f\r]*[+-]?[0-7]*$/.test(v)) throw new ConfigError("argument couldn't be parsed as an octal number");
        const digits = v.trim();
        const n = digits.replace(/^[+-]/, '') === '' ? 0n : BigInt(parseInt(digits, 8));
        if (n < d.min! || n > d.max!) throw new ConfigError(`argument must be between ${d.min!.toString(8)} and ${d.max!.toString(8)} inclusive`);
        return n.toString(8);
      }
      default:
        checkString(d.name, v);
        return v;
    }
  }

  private checkRange(d: ConfigDef, n: bigint): bigint {
    if (n < d.min! || n > d.max!) throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
    return n;
  }

  private parseMemoryValue(d: ConfigDef, v: string, source: ConfigSource): string {
    let n = memtoull(v);
    if (n !== null) {
      // Signed C types see the wrapped unsigned value as negative.
      if (d.max! <= LLONG_MAX && n > LLONG_MAX) n -= TWO_64;
      this.checkRange(d, n);
      // Resizing the live backlog enforces its minimum (loading the file does not).
      if (d.name === 'repl-backlog-size' && source === 'runtime') n = clamp(n, MIN_REPL_BACKLOG, n);
      return String(n);
    }
    if (d.percent && v.length > 1 && v.endsWith('%')) {
      const p = parseLongLong(v.slice(0, -1));
      if (p !== null && p >= 0n) {
        if (-p < d.min!) throw new ConfigError(`percentage argument must be less or equal to ${-d.min!}`);
        return `${p}%`;
      }
    }
    throw new ConfigError(d.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
  }

  private parseEnum(d: ConfigDef, args: string[]): string {
    const values = d.values!;
    const fail = (): never => {
      throw new ConfigError(`argument(s) must be one of the following: ${values.join(', ')}`);
    };
    if (args.length === 0 || (!d.multiArg && args.length !== 1)) fail();
    const picked = args.map((a) => a.toLowerCase());
    for (const p of picked) if (!values.includes(p)) fail();
    if (!d.multiArg) return picked[0];
    // Flag sets (shutdown-on-*): the first value is "no flags"; print the set in table order.
    const flags = values.slice(1).filter((v) => picked.includes(v));
    return flags.length === 0 ? values[0] : flags.join(' ');
  }

  private parseSpecial(d: ConfigDef, args: string[], source: ConfigSource): string {
    switch (d.name) {
      case 'save':
        return this.parseSave(args, source);
      case 'bind': {
        if (args.length > MAX_BIND_ADDRESSES) throw new ConfigError('Too many bind addresses specified.');
        return args.length === 1 && args[0] === '' ? '' : args.join(' ');
      }
      case 'replicaof': {
        if (args.length !== 2) throw new ConfigError('wrong number of arguments');
        if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return '';
        const port = strtollWhole(args[1]);
        if (port === null || args[1] === '' || port < 0 || port > 65535) throw new ConfigError('Invalid master port');
        return `${args[0]} ${port}`;
      }
      case 'client-output-buffer-limit':
        return this.parseOutputLimits(args);
      case 'notify-keyspace-events':
        if (args.length !== 1) throw new ConfigError('wrong number of arguments');
        return canonicalKeyspaceEvents(args[0]);
      case 'oom-score-adj-values': {
        if (args.length !== 3) throw new ConfigError('wrong number of arguments');
        const values = args.map(strtollWhole);
        if (values.some((v) => v === null || v < -2000 || v > 2000)) {
          throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
        }
        return values.join(' ');
      }
      case 'latency-tracking-info-percentiles': {
        if (args.length === 1 && args[0] === '') return '';
        const out: string[] = [];
        for (const a of args) {
          const n = a.trim() === '' ? NaN : Number(a);
          if (!Number.isFinite(n)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
          if (n < 0 || n > 100) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
          out.push(n.toFixed(6).replace(/\.?0+$/, ''));
        }
        return out.join(' ');
      }
      default:
        throw new Error(`no parser for special config ${d.name}`);
    }
  }

  /** save: pairs of <seconds >= 1> <changes >= 0>; in a file the first line replaces the default. */
  private parseSave(rawArgs: string[], source: ConfigSource): string {
    const args = rawArgs.length === 1 && rawArgs[0] === '' ? [] : rawArgs;
    if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
    const nums = args.map(strtollWhole);
    nums.forEach((n, j) => {
      if (n === null || (j % 2 === 0 && n < 1) || (j % 2 === 1 && n < 0)) throw new ConfigError('Invalid save parameters');
    });
    const pairs = nums.join(' ');
    const keep = source === 'file' && this.fromFile.has('save') ? this.text.get('save')! : '';
    return [keep, pairs].filter((s) => s !== '').join(' ');
  }

  /** client-output-buffer-limit <class> <hard> <soft> <seconds> ...: merged into the current limits. */
  private parseOutputLimits(args: string[]): string {
    if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
    const next = new Map(this.outputLimits);
    for (let i = 0; i < args.length; i += 4) {
      const name = args[i].toLowerCase();
      const cls = name === 'replica' ? 'slave' : name;
      if (!OUTPUT_BUFFER_CLASSES.includes(cls as OutputBufferClass)) {
        throw new ConfigError('Invalid client class specified in buffer limit configuration.');
      }
      const [hard, soft, secs] = args.slice(i + 1, i + 4).map(memtoull);
      if (hard === null || soft === null || secs === null) {
        throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      }
      next.set(cls as OutputBufferClass, { hard: Number(hard), soft: Number(soft), softSeconds: Number(secs) });
    }
    return OUTPUT_BUFFER_CLASSES.map((c) => {
      const l = next.get(c)!;
      return `${c} ${l.hard} ${l.soft} ${l.softSeconds}`;
    }).join(' ');
  }

  /** Stores a canonical value and its typed form; setting `dir` changes directory (Redis does). */
  private store(d: ConfigDef, text: string): void {
    // The default './' needs no chdir; chdir("") fails in C with ENOENT.
    if (d.name === 'dir' && this.text.has('dir')) {
      try {
        if (text === '') throw Object.assign(new Error(), { code: 'ENOENT' });
        process.chdir(text);
      } catch (e) {
        throw new ConfigError(strerror(e));
      }
      // Kept absolute, so that a rolled-back CONFIG SET can return to it.
      text = process.cwd();
    }
    this.text.set(d.name, text);
    let typed: ConfigValue;
    switch (d.kind) {
      case 'bool':
        typed = text === 'yes';
        break;
      case 'int':
        typed = Number(text);
        break;
      case 'memory':
        typed = text.endsWith('%') ? text : Number(text);
        break;
      default:
        typed = text;
    }
    this.typed.set(d.name, typed);
    const live = this.liveValues.get(d.name);
    if (live !== undefined) live.value = typed;
    if (d.name === 'client-output-buffer-limit') {
      const w = text.split(' ');
      for (let i = 0; i + 3 < w.length; i += 4) {
        this.outputLimits.set(w[i] as OutputBufferClass, { hard: Number(w[i + 1]), soft: Number(w[i + 2]), softSeconds: Number(w[i + 3]) });
      }
    }
  }
}
