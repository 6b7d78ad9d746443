/**
 * An HTTP answer's body read as a stream up to a cap, never trusting its size: a proxy or a wrong
 * host could send gigabytes. Shared by the platforms' API clients, each of which words its own
 * error for an answer past the cap.
 */

export interface CappedBody {
  /** The body as text: whole, or (with `keepHead`) its first `limitBytes`. */
  readonly text: string;
  /** False when the body was longer than the cap: the rest was not downloaded (the stream is cancelled). */
  readonly complete: boolean;
}

/**
 * The body, at most `limitBytes` of it. Without `keepHead`, an answer that declares more than the
 * cap is not read at all (`text` is empty); with it, the text so far is kept (an error's words).
 */
export async function readBodyCapped(response: Response, limitBytes: number, keepHead = false): Promise<CappedBody> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!keepHead && declared > limitBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { text: '', complete: false };
  }
  const reader = response.body?.getReader();
  if (!reader) return { text: '', complete: true };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as
      { done: boolean; value: Uint8Array } | { done: true; value?: undefined };
    if (done) break;
    const room = limitBytes - size;
    if (value.byteLength > room) {
      await reader.cancel().catch(() => undefined);
      if (keepHead) chunks.push(value.subarray(0, room));
      return { text: Buffer.concat(chunks).toString('utf8'), complete: false };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), complete: true };
}
