// Enforces a maximum MQTT packet size below aedes, which has no such option: reads each packet's
// fixed header (MQTT 3.1.1 §2.2: one type byte, then the remaining length as a base-128 varint)
// and ends the connection when a packet announces more than the limit, before buffering it.
import { Duplex, Transform, type TransformCallback } from 'node:stream';
import type { Socket } from 'node:net';

export class MqttFrameLimiter extends Transform {
  /** Bytes still to skip of the current packet's body. */
  private remainingBody = 0;
  private header: number[] = [];
  private inHeader = true;

  constructor(
    private readonly maxPacketBytes: number,
    private readonly onOversize: (announced: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (!this.inHeader) {
        const take = Math.min(this.remainingBody, chunk.length - i);
        this.remainingBody -= take;
        i += take;
        if (this.remainingBody === 0) this.inHeader = true;
        continue;
      }
      this.header.push(chunk[i]!);
      i += 1;
      if (this.header.length === 1) continue; // packet type and flags
      const byte = this.header[this.header.length - 1]!;
      if (byte & 0x80) {
        if (this.header.length > 5) return done(new Error('malformed MQTT remaining length'));
        continue;
      }
      let length = 0;
      for (let k = this.header.length - 1; k >= 1; k--) length = length * 128 + (this.header[k]! & 0x7f);
      const total = this.header.length + length;
      this.header = [];
      if (total > this.maxPacketBytes) {
        this.onOversize(total);
        return done(new Error(`MQTT packet of ${total} bytes exceeds the limit of ${this.maxPacketBytes}`));
      }
      this.remainingBody = length;
      this.inHeader = length === 0;
    }
    done(null, chunk);
  }
}

/** Wraps a socket so that aedes reads through the limiter and writes straight to the socket. */
export function limitFrames(socket: Socket, maxPacketBytes: number, onOversize: (announced: number) => void): Duplex {
  const limiter = new MqttFrameLimiter(maxPacketBytes, onOversize);
  limiter.on('error', () => socket.destroy());
  socket.pipe(limiter);
  const duplex = Duplex.from({ readable: limiter, writable: socket });
  // aedes logs and closes by these; keep the peer's address visible to the auth hooks.
  Object.assign(duplex, { remoteAddress: socket.remoteAddress });
  socket.on('error', () => duplex.destroy());
  socket.on('close', () => duplex.destroy());
  duplex.on('close', () => socket.destroy());
  return duplex;
}
