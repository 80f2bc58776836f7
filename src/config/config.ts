// The live configuration: the value of every directive in config-table.ts, parsed and checked the
// way Redis parses them (yes/no booleans, integers, memory sizes with k/kb/m/mb/g/gb units,
// enums, and the multi-argument specials). Reading a value is a Map lookup of the already-typed
// value, so modules can read config on hot paths.
//
// Directives that are not CONFIG parameters (user, rename-command, include, loadmodule, sentinel)
// are kept as raw argument lists for the modules that own them.
//
// Errors: set() throws ConfigError whose message is Redis's reason text (e.g. "argument must be
// 'yes' or 'no'"); config-file.ts adds the FATAL CONFIG FILE ERROR framing, CONFIG SET the
// "ERR CONFIG SET failed (possibly related to argument 'x') - " prefix.

import { CONFIG_DEFS, ConfigDef } from './config-table';

export class ConfigError extends Error {}

export type ConfigValue = string | number | boolean;

/** A client-output-buffer-limit class: hard limit, soft limit (bytes) and soft seconds. */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type OutputBufferClass = 'normal' | 'slave' | 'pubsub';

/** Hooks run after a value changes at runtime; return an error message to refuse it. */
export type ConfigHook = (value: ConfigValue, name: string) => string | void;

const MEMORY_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1000 * 1000, mb: 1024 * 1024, g: 1000 * 1000 * 1000, gb: 1024 * 1024 * 1024,
};

/** Parses "1gb", "100mb", "512k", "1024"; null when malformed (Redis's memtoull). */
export function parseMemory(text: string): number | null {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(text);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]) * unit;
}

/** Parses a decimal integer as Redis's string2ll does (no spaces, no "+", no leading zeros). */
export function parseInteger(text: string): number | null {
  if (!/^-?(0|[1-9]\d*)$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export class Config {
  private defs = new Map<string, ConfigDef>();
  private text = new Map<string, string>();
  private typed = new Map<string, ConfigValue>();
  private hooks = new Map<string, ConfigHook[]>();
  /** Names set by the config file or command line (for CONFIG REWRITE and 'save' line merging). */
  private fromFile = new Set<string>();
  private outputLimits = new Map<OutputBufferClass, OutputBufferLimit>();

  /** Non-CONFIG directives, in file order, as argument lists (without the directive name). */
  readonly users: string[][] = [];
  readonly renames: Array<[string, string]> = [];
  readonly sentinel: string[][] = [];
  readonly modules: string[][] = [];

  /** The config file's absolute path, if the server was started with one (CONFIG REWRITE target). */
  file = '';

  constructor(defs: ConfigDef[] = CONFIG_DEFS) {
    for (const d of defs) {
      this.defs.set(d.name, d);
      for (const a of d.aliases ?? []) this.defs.set(a, d);
    }
    for (const d of defs) this.assign(d, d.default, false);
  }

  /** The definition for a name or alias (case-insensitive), or undefined. */
  def(name: string): ConfigDef | undefined {
    return this.defs.get(name.toLowerCase());
  }

  /** All canonical definitions. */
  allDefs(): ConfigDef[] {
    return [...new Set(this.defs.values())];
  }

  /** Names (canonical and aliases) that CONFIG GET matches against. */
  allNames(): string[] {
    return [...this.defs.keys()];
  }

  /** The value as CONFIG GET prints it. */
  getText(name: string): string {
    const d = this.def(name);
    if (!d) throw new ConfigError(`unknown config '${name}'`);
    return this.text.get(d.name)!;
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

  /** Runs `hook` whenever `name` changes at runtime (CONFIG SET). */
  watch(name: string, hook: ConfigHook): void {
    const d = this.def(name);
    if (!d) throw new Error(`watch: unknown config ${name}`);
    const list = this.hooks.get(d.name) ?? [];
    list.push(hook);
    this.hooks.set(d.name, list);
  }

  /**
   * Sets a directive from its arguments (a config-file line without the name, or CONFIG SET's
   * value split as one argument). Throws ConfigError with Redis's reason on bad input.
   */
  set(name: string, args: string[], source: 'file' | 'runtime'): void {
    const d = this.def(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    if (source === 'runtime' && d.immutable) throw new ConfigError("can't set immutable config");
    const value = this.normalize(d, args, source);
    const previous = this.text.get(d.name)!;
    const previousTyped = this.typed.get(d.name)!;
    this.assign(d, value, source === 'file');
    if (source === 'runtime') {
      for (const hook of this.hooks.get(d.name) ?? []) {
        const err = hook(this.typed.get(d.name)!, d.name);
        if (typeof err === 'string') {
          this.text.set(d.name, previous);
          this.typed.set(d.name, previousTyped);
          if (d.name === 'client-output-buffer-limit') this.parseOutputLimits(previous);
          throw new ConfigError(err);
        }
      }
    }
  }

  /** Turns arguments into the canonical CONFIG GET text, validating them. */
  private normalize(d: ConfigDef, args: string[], source: 'file' | 'runtime'): string {
    if (d.kind !== 'special' && args.length !== 1) throw new ConfigError('wrong number of arguments');
    const v = args[0];
    switch (d.kind) {
      case 'bool': {
        const l = v.toLowerCase();
        if (l !== 'yes' && l !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
        return l;
      }
      case 'int': {
        const n = parseInteger(v);
        if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
        return String(n);
      }
      case 'memory': {
        const n = v.endsWith('%') && d.name === 'maxmemory-clients' ? null : parseMemory(v);
        if (d.name === 'maxmemory-clients' && v.endsWith('%')) {
          if (parseInteger(v.slice(0, -1)) === null) throw new ConfigError('argument must be a memory or percent value');
          return v;
        }
        if (n === null) throw new ConfigError('argument must be a memory value');
        return String(n);
      }
      case 'enum': {
        const l = v.toLowerCase();
        if (!d.values!.includes(l)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
        return l;
      }
      case 'string':
        return v;
      case 'special':
        return this.normalizeSpecial(d, args, source);
    }
  }

  private normalizeSpecial(d: ConfigDef, args: string[], source: 'file' | 'runtime'): string {
    // CONFIG SET passes one argument holding the whole value; split it like Redis does.
    const words = source === 'runtime' ? args.join(' ').split(' ').filter((w) => w !== '') : args;
    switch (d.name) {
      case 'save': {
        if (words.length === 0 || (words.length === 1 && words[0] === '')) return '';
        if (words.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
        for (const w of words) if (parseInteger(w) === null || Number(w) < 0) throw new ConfigError('Invalid save parameters');
        const pairs = words.join(' ');
        // In a file, each `save` line adds a save point; the first one replaces the default.
        if (source === 'file' && this.fromFile.has('save') && this.text.get('save') !== '') {
          return `${this.text.get('save')} ${pairs}`;
        }
        return pairs;
      }
      case 'replicaof': {
        if (words.length !== 2) throw new ConfigError('wrong number of arguments');
        if (words[0].toLowerCase() === 'no' && words[1].toLowerCase() === 'one') return '';
        const port = parseInteger(words[1]);
        if (port === null || port < 0 || port > 65535) throw new ConfigError('Invalid master port');
        return `${words[0]} ${port}`;
      }
      case 'bind':
        if (words.length === 0) throw new ConfigError('wrong number of arguments');
        return words.join(' ');
      case 'client-output-buffer-limit':
        return this.mergeOutputLimits(words);
      case 'unixsocketperm': {
        if (words.length !== 1 || !/^[0-7]+$/.test(words[0])) throw new ConfigError('Invalid socket file permissions');
        return String(parseInt(words[0], 8).toString(8));
      }
      case 'notify-keyspace-events': {
        const v = words.join('');
        if (!/^[KEg$lshzxetmdA]*$/.test(v)) throw new ConfigError('Invalid event class character. Use \'Ag$lshzxeKEtmd\'.');
        return v;
      }
      case 'shutdown-on-sigint':
      case 'shutdown-on-sigterm': {
        const allowed = ['default', 'save', 'nosave', 'now', 'force'];
        for (const w of words) if (!allowed.includes(w.toLowerCase())) throw new ConfigError(`argument(s) must be one of the following: ${allowed.join(', ')}`);
        return words.map((w) => w.toLowerCase()).join(' ');
      }
      case 'latency-tracking-info-percentiles':
        for (const w of words) {
          const n = Number(w);
          if (!Number.isFinite(n) || n < 0 || n > 100) throw new ConfigError('latency-tracking-info-percentiles must be between 0.0 and 100.0');
        }
        return words.join(' ');
      default:
        return words.join(' ');
    }
  }

  private mergeOutputLimits(words: string[]): string {
    if (words.length % 4 !== 0 || words.length === 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
    const next = new Map(this.outputLimits);
    for (let i = 0; i < words.length; i += 4) {
      let cls = words[i].toLowerCase();
      if (cls === 'replica') cls = 'slave';
      if (cls !== 'normal' && cls !== 'slave' && cls !== 'pubsub') throw new ConfigError('Invalid client class specified in buffer limit configuration.');
      const hard = parseMemory(words[i + 1]);
      const soft = parseMemory(words[i + 2]);
      const secs = parseInteger(words[i + 3]);
      if (hard === null || soft === null || secs === null || secs < 0) throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      next.set(cls, { hard, soft, softSeconds: secs });
    }
    const order: OutputBufferClass[] = ['normal', 'slave', 'pubsub'];
    return order
      .filter((c) => next.has(c))
      .map((c) => {
        const l = next.get(c)!;
        return `${c} ${l.hard} ${l.soft} ${l.softSeconds}`;
      })
      .join(' ');
  }

  private parseOutputLimits(text: string): void {
    const w = text.split(' ');
    this.outputLimits.clear();
    for (let i = 0; i + 3 < w.length; i += 4) {
      this.outputLimits.set(w[i] as OutputBufferClass, { hard: Number(w[i + 1]), soft: Number(w[i + 2]), softSeconds: Number(w[i + 3]) });
    }
  }

  private assign(d: ConfigDef, text: string, fromFile: boolean): void {
    this.text.set(d.name, text);
    if (fromFile) this.fromFile.add(d.name);
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
    if (d.name === 'client-output-buffer-limit') this.parseOutputLimits(text);
  }
}
