import { describe, expect, it } from 'vitest';
import { NATIVE_HEADER } from '../core/campaign-format.js';
import { jobFromCsv } from './campaign-job.js';
import { forExoClick } from './exo-ids.js';

const csv = [
  NATIVE_HEADER.join(','),
  'Ad A,https://x.test/,1032600001,1032600002,Hi,Brand',
  'Ad B,https://x.test/,700009,700010,Hi,Brand',
].join('\n');

describe('ExoClick rows of the campaign mapping', () => {
  const parsed = jobFromCsv('5100001', 'Exo', 'tracking/Upload_CSV/a.csv', csv, 'exoclick');
  if (!('job' in parsed)) throw new Error('the CSV should parse');

  it('takes the ExoClick id of the same output for each TJ id, and our ExoClick ids as they are', () => {
    const ids = new Map([
      ['1032600001', '700001'],
      ['1032600002', '700002'],
      ['700009', '700009'],
    ]);
    const translated = forExoClick(parsed.job, ids);
    if (!('job' in translated)) throw new Error(translated.problems.join('; '));
    expect(translated.job.ads.rows.map((row) => [row['Video Creative ID'], row['Thumbnail Creative ID']])).toEqual([
      ['700001', '700002'],
      ['700009', '700010'],
    ]);
    expect(translated.job.platform).toBe('exoclick');
    expect(translated.job.key).toBe('exoclick:5100001|tracking/Upload_CSV/a.csv');
    expect(translated.job.contentHash).not.toBe(parsed.job.contentHash);
  });

  it('names the line of an output ExoClick does not have, and of an id that is none of ours', () => {
    const translated = forExoClick(parsed.job, new Map([['1032600001', undefined]]));
    expect(translated).toEqual({
      problems: [
        "line 2: Video Creative ID 1032600001 is not on ExoClick (see the inventory's exo_upload_status)",
        'line 3: Video Creative ID 700009 is no creative of ours, on TJ or ExoClick',
      ],
    });
  });
});
