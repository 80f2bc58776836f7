// Encodes a command as a RESP multibulk request: how the replication feed writes effects and how
// Tandem sends commands when it is the client (tandem-cli, Sentinel, the replica link).
// Arguments are latin1 strings, so byte lengths equal string lengths.

export function encodeCommand(argv: readonly string[]): Buffer {
  return Buffer.from(encodeCommandText(argv), 'latin1');
}

/** The same encoding as a latin1 string, for sinks that copy text into their own buffers. */
export function encodeCommandText(argv: readonly string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}
