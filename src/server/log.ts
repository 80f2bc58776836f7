// The server log, in Redis's format so that people and tools that read Redis logs read ours:
//   <pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level> <message>
// role: M master, S replica, X sentinel, C child; level: . debug, - verbose, * notice, # warning.
// Writes synchronously (as Redis does) to `logfile`, or to stdout when logfile is "".

import * as fs from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const LEVEL_MARK: Record<Exclude<LogLevel, 'nothing'>, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatLogTime(d: Date): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  level: LogLevel = 'notice';
  /** 'M' master, 'S' replica, 'X' sentinel. */
  role: 'M' | 'S' | 'X' | 'C' = 'M';
  private fd: number | null = null;
  private file = '';

  /** Points the log at a file ("" = stdout). Throws if the file cannot be opened. */
  setFile(path: string): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.file = path;
    if (path !== '') this.fd = fs.openSync(path, 'a');
  }

  get filePath(): string {
    return this.file;
  }

  /** Reopens the log file (after rotation, on SIGHUP or CONFIG SET logfile). */
  reopen(): void {
    this.setFile(this.file);
  }

  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.level];
  }

  log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (!this.enabled(level)) return;
    this.raw(`${process.pid}:${this.role} ${formatLogTime(new Date())} ${LEVEL_MARK[level]} ${msg}\n`);
  }

  /** Writes text as it is (the startup logo). */
  raw(text: string): void {
    try {
      if (this.fd !== null) fs.writeSync(this.fd, text);
      else process.stdout.write(text);
    } catch {
      // A full disk or a closed stdout must not take the server down.
    }
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }
}
