// Plain (TCP and unix-socket) client connections read and written below net.Socket's stream
// machinery, straight on the socket's libuv handle: reads land in one shared buffer (the
// `onread` socket option; a replica's plain link to its master reads into it too, see
// replica-link.ts) and replies go to the handle's writeBuffer/writev, as net.Socket's own
// write path does at its bottom. A plain request is one read and one write; around those two
// system calls Node's Readable and Writable layers cost more CPU than the command itself.
//
// Both rely on undocumented internals of Node 20 (see adoptForDirectIo and loadStreamWrap); when
// any is missing, and always for TLS, the caller reads with 'data' events and writes with
// socket.write().

import * as net from 'node:net';
import * as tls from 'node:tls';

/**
 * The one read buffer of every directly-read connection: libuv reads one socket at a time on the
 * event loop and each read is parsed before the callback returns, so it is free again by the next.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Its memory, looked up once: reading a Buffer's `.buffer` is a call into the runtime. */
export const SHARED_READ_MEMORY = SHARED_READ_BUFFER.buffer;

/** The last view handed out by sharedReadView. */
let lastReadView = SHARED_READ_BUFFER.subarray(0, 0);

/**
 * The first `bytes` bytes of the shared read buffer. Consecutive reads mostly have the same size
 * (a client repeating a request, or many clients sending alike), and any view of the buffer is as
 * good as another since the parser copies what it keeps out of it (copyInputOutOf): the last view
 * is reused instead of making one per read (Node's subarray allocates a Buffer and reads the
 * memory's ArrayBuffer through a runtime call).
 */
function sharedReadView(bytes: number): Buffer {
  if (lastReadView.length !== bytes) lastReadView = SHARED_READ_BUFFER.subarray(0, bytes);
  return lastReadView;
}

/**
 * The `onread` socket option (net.Socket, net.connect) that reads into the shared read buffer and
 * hands `onRead` a view of the bytes read. The view is only valid until `onRead` returns: it must
 * copy whatever it keeps (RespParser.copyInputOutOf does it for a parser).
 */
export function sharedReadOption(onRead: (chunk: Buffer) => void): net.OnReadOpts {
  return {
    buffer: SHARED_READ_BUFFER,
    callback: (bytes: number) => {
      onRead(sharedReadView(bytes));
      return true; // false would pause the socket
    },
  };
}

/** A libuv write request as Node's C++ StreamBase sees it (a WriteWrap). */
interface WriteRequest {
  /** Called by Node when libuv finishes a write it had to queue: status < 0 is an error. */
  oncomplete: ((status: number) => void) | null;
  /** Keeps the written memory alive while libuv holds a pointer to it. */
  buffers: Buffer[] | null;
}

/** The parts of a TCP/Pipe handle (node's TCPWrap, PipeWrap) used here. */
interface StreamHandle {
  reading?: boolean;
  useUserBuffer?: unknown;
  writeBuffer?: (req: WriteRequest, data: Buffer) => number;
  writev?: (req: WriteRequest, chunks: Buffer[], allBuffers: boolean) => number;
}

/** node's internal `stream_wrap` binding: what lib/internal/stream_base_commons.js writes with. */
interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  /** Set by every write: [kLastWriteWasAsync] is 1 when libuv queued part of it. */
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

/** The binding, or null when this Node does not offer it as Node 20 does. */
const streamWrap: StreamWrapBinding | null = loadStreamWrap();

function loadStreamWrap(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || !(b.streamBaseState instanceof Int32Array) || typeof b.kLastWriteWasAsync !== 'number') return null;
    return b as StreamWrapBinding;
  } catch {
    return null;
  }
}

/**
 * The request object for the next write. Node's C++ only takes hold of it when libuv cannot write
 * everything at once; a write the kernel takes whole (the usual case for a reply) leaves it
 * untouched, so it is used again instead of allocating one per write as net.Socket does.
 */
let spareRequest: WriteRequest | null = streamWrap === null ? null : new streamWrap.WriteWrap();

/**
 * Writes one connection's replies straight to its handle. A write the kernel does not take whole
 * is finished by libuv later, in order with every later write on the handle (libuv queues them
 * behind it, including socket.write()'s), and its bytes count as buffered output until then.
 */
export class DirectWriter {
  /** Bytes of writes libuv has queued and not finished: output the client has not read yet. */
  queuedBytes = 0;

  constructor(
    private readonly handle: StreamHandle,
    /** A failed write: the connection is broken. */
    private readonly onError: () => void,
  ) {}

  /** Writes the buffers in order, in one system call when the socket takes them all. */
  write(buffers: Buffer[]): void {
    const binding = streamWrap!;
    const req = spareRequest!;
    const err = buffers.length === 1 ? this.handle.writeBuffer!(req, buffers[0]) : this.handle.writev!(req, buffers, true);
    if (err === 0 && binding.streamBaseState[binding.kLastWriteWasAsync] === 0) return;
    // Node may have bound the request to a libuv write: it is that write's from now on.
    spareRequest = new binding.WriteWrap();
    if (err !== 0) {
      this.onError();
      return;
    }
    let bytes = 0;
    for (const b of buffers) bytes += b.length;
    this.queuedBytes += bytes;
    req.buffers = buffers;
    req.oncomplete = (status: number) => {
      this.queuedBytes -= bytes;
      if (status < 0) this.onError();
    };
  }
}

/** The Node 20 internals of net.Socket that adoptForDirectIo relies on. */
interface SocketInternals {
  _handle?: StreamHandle | null;
  _server?: net.Server | null;
}

/**
 * Reads a plain connection through net.Socket's `onread` option: libuv reads into
 * SHARED_READ_BUFFER and the callback gets the byte count, instead of Node allocating a Buffer per
 * read and pushing it through the Readable stream machinery ('data' events). That machinery cost
 * about 2 us of CPU per read, a sixth of a plain request (redis-benchmark SET/GET, measured).
 * Returns the socket to use instead of `accepted`, and a DirectWriter for its handle when this
 * Node has the binding it needs (else null: write with socket.write()).
 *
 * net.Server cannot pass `onread` to the sockets it accepts, so the accepted socket (still paused:
 * the listener has pauseOnConnect) hands its handle and its place in the server's connection count
 * to a socket made with the option, and is dropped. That uses undocumented internals of Node 20
 * (the `_handle` and `_server` fields, the `handle` constructor option, as net.Server itself does);
 * without them, or for TLS, null: the caller reads the accepted socket with 'data' events.
 */
export function adoptForDirectIo(
  accepted: net.Socket,
  onRead: (chunk: Buffer) => void,
  onWriteError: () => void,
): { socket: net.Socket; writer: DirectWriter | null } | null {
  const internals = accepted as unknown as SocketInternals;
  const handle = internals._handle;
  if (accepted instanceof tls.TLSSocket || handle === undefined || handle === null) return null;
  if (typeof handle.useUserBuffer !== 'function' || handle.reading === true || !('_server' in internals)) return null;
  const socket = new net.Socket({
    handle,
    onread: sharedReadOption(onRead),
  } as net.SocketConstructorOpts);
  (socket as unknown as SocketInternals)._server = internals._server;
  internals._server = null;
  internals._handle = null;
  accepted.destroy();
  const writable = streamWrap !== null && typeof handle.writeBuffer === 'function' && typeof handle.writev === 'function';
  return { socket, writer: writable ? new DirectWriter(handle, onWriteError) : null };
}
