import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageRepository } from '../store/storage.repository.js';
import { makeVideo, tempRoot } from '../test/fixtures.js';
import { openMedia } from './ffmpeg-binaries.js';
import { moovExtent, readVideoFacts, videoFactsOfMoov, type Mp4VideoFacts } from './mp4-header.js';

const media = openMedia();
const storage = new StorageRepository();

function readHeader(file: string): Promise<Mp4VideoFacts | undefined> {
  return readVideoFacts((bytes) => storage.readHead(file, bytes));
}

describe('the MP4 header reader', () => {
  it('says what ffprobe says of the first video track, whatever the tracks’ order and the codec', async () => {
    const dir = await tempRoot();
    const h264 = await makeVideo(path.join(dir, 'h264.mp4'), {
      seconds: 3,
      width: 640,
      height: 360,
      audio: true,
      faststart: true,
    });
    const audioFirst = path.join(dir, 'audio-first.mp4');
    await media.runFfmpeg({
      input: h264,
      outputs: [
        {
          path: audioFirst,
          options: ['-map', '0:a', '-map', '0:v', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4'],
        },
      ],
    });
    const mpeg4 = await makeVideo(path.join(dir, 'mpeg4.mp4'), {
      seconds: 2,
      width: 320,
      height: 240,
      codec: 'mpeg4',
      faststart: true,
    });
    for (const [file, format] of [
      [h264, 'avc1'],
      [audioFirst, 'avc1'],
      [mpeg4, 'mp4v'],
    ] as const) {
      const probed = await media.probe(file);
      const video = probed.streams.find((stream) => stream.type === 'video');
      const facts = await readHeader(file);
      expect(facts, file).toMatchObject({ sampleFormat: format, width: video?.width, height: video?.height });
      expect(facts?.durationSec).toBeCloseTo(probed.durationSec ?? 0, 2);
    }
  });

  it('finds nothing where the index is not at the front, or the bytes are not an MP4', async () => {
    const dir = await tempRoot();
    // Written without +faststart, a video longer than the head read keeps its index after the media.
    const indexLast = await makeVideo(path.join(dir, 'index-last.mp4'), { seconds: 6, width: 640, height: 360 });
    expect(await readHeader(indexLast)).toBeUndefined();
    expect(moovExtent(Buffer.from('not a video at all, just text'))).toBeUndefined();
    const cut = Buffer.alloc(40);
    cut.writeUInt32BE(4_000, 0);
    cut.write('moov', 4, 'latin1');
    // A moov box whose contents are missing or garbage gives no facts, and no exception.
    expect(videoFactsOfMoov(cut)).toBeUndefined();
    expect(
      videoFactsOfMoov(
        Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('moov'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0])]),
      ),
    ).toBeUndefined();
  });
});
