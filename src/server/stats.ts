// Counters behind INFO stats / errorstats / commandstats, and the instantaneous rates Redis
// samples in its cron (a ring of the last 16 samples, averaged).

const SAMPLES = 16;

export interface CommandStat {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

class RateSampler {
  private samples = new Array<number>(SAMPLES).fill(0);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;

  /** Records the counter's value at time `now` (ms). */
  sample(now: number, value: number): void {
    if (this.lastTime !== 0 && now > this.lastTime) {
      this.samples[this.idx] = ((value - this.lastValue) * 1000) / (now - this.lastTime);
      this.idx = (this.idx + 1) % SAMPLES;
    }
    this.lastTime = now;
    this.lastValue = value;
  }

  get average(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / SAMPLES;
  }
}

export class Stats {
  totalConnections = 0;
  rejectedConnections = 0;
  totalCommands = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  evictedKeys = 0;
  totalErrorReplies = 0;
  /** Error counts by code (the first word of the error: ERR, WRONGTYPE, ...). */
  readonly errors = new Map<string, number>();
  /** Per command (name or "container|sub"). */
  readonly commands = new Map<string, CommandStat>();
  private lastCommandName = '';
  private lastCommandStat: CommandStat = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
  private readonly opsRate = new RateSampler();
  private readonly inRate = new RateSampler();
  private readonly outRate = new RateSampler();

  countError(msg: string): void {
    this.totalErrorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  command(name: string): CommandStat {
    // A pipeline mostly repeats one command: the last one found answers without a Map lookup.
    if (name === this.lastCommandName) return this.lastCommandStat;
    let s = this.commands.get(name);
    if (s === undefined) {
      s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.commands.set(name, s);
    }
    this.lastCommandName = name;
    this.lastCommandStat = s;
    return s;
  }

  sample(now: number): void {
    this.opsRate.sample(now, this.totalCommands);
    this.inRate.sample(now, this.netInputBytes);
    this.outRate.sample(now, this.netOutputBytes);
  }

  get opsPerSec(): number {
    return Math.round(this.opsRate.average);
  }
  get inputKbps(): number {
    return this.inRate.average / 1024;
  }
  get outputKbps(): number {
    return this.outRate.average / 1024;
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalCommands = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.evictedKeys = 0;
    this.totalErrorReplies = 0;
    this.errors.clear();
    this.commands.clear();
    this.lastCommandName = '';
  }
}
