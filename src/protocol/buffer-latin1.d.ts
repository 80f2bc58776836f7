// Node's Buffer has fast latin1 slice/write methods that @types/node does not declare.
// They skip the encoding dispatch of toString()/write(); the RESP hot paths use them.
export {};
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(str: string, offset: number, length?: number): number;
  }
}
