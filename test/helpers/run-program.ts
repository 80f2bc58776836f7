// Runs a command-line program to completion with the given stdin and collects its exit code and
// output (latin1, so binary output compares byte for byte). For tests of CLI tools.

import { spawn } from 'node:child_process';

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runProgram(file: string, args: string[], stdin: string | Buffer = ''): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1') }));
    p.stdin.on('error', () => undefined); // the program may exit without reading all of it
    p.stdin.end(typeof stdin === 'string' ? Buffer.from(stdin, 'latin1') : stdin);
  });
}
