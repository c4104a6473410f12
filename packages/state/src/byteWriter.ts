/**
 * A growing byte buffer the packed wire formats write into (changes to the shards, ops back): `buf` and `view`
 * over the same memory, `at` the next byte; `reserve(n)` before writing n bytes; `finish()` copies out what was written.
 *
 * @example
 * ```ts
 * class W extends ByteWriter { u8(v: number) { this.reserve(1); this.buf[this.at++] = v } }
 * ```
 */
export class ByteWriter {
  protected buf: Uint8Array<ArrayBuffer>
  protected view: DataView
  protected at = 0

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity)
    this.view = new DataView(this.buf.buffer)
  }

  protected reserve(n: number): void {
    if (this.at + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.at + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.at))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** The bytes written, as an ArrayBuffer of their own (transferable). */
  finish(): ArrayBuffer {
    return this.buf.buffer.slice(0, this.at)
  }
}
