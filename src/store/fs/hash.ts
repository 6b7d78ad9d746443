// Hashing a file's contents, streamed: memory stays flat whatever the file's size.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/** SHA-256 of a file, streamed: memory stays flat whatever the file's size. */
export async function hashFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash, signal ? { signal } : {});
  return hash.digest('hex');
}

/** SHA-256 and MD5 of a file in one streamed read (MD5 for lists kept by other tools). */
export async function hashFileTwice(file: string, signal?: AbortSignal): Promise<{ sha256: string; md5: string }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        sha256.update(chunk);
        md5.update(chunk);
      }
    },
    signal ? { signal } : {},
  );
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}
