// Encodes a command as a RESP multibulk request: how the replication feed writes effects and how
// Tandem sends commands when it is the client (tandem-cli, Sentinel, the replica link).
// Arguments are latin1 strings, so byte lengths equal string lengths.

export function encodeCommand(argv: readonly string[]): Buffer {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return Buffer.from(s, 'latin1');
}
