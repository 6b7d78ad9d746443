import { ActivityBus } from '../../core/events.js';
import { Layout, rootPath, type RootPath } from '../../core/layout.js';
import type { UploadSummary } from '../../core/outcomes.js';
import type { CreativeRecord, OutputFile } from '../../core/record.js';
import type { ExoUploader } from '../../platform/exoclick/exo-uploader.js';
import { CredentialsRefusedError, LoginRequiredError } from '../../platform/uploader.js';
import type { ExoStrike } from '../../simulators/exoclick/options.js';
import type { ExoSimState } from '../../simulators/exoclick/server.js';
import { CreativeRepository } from '../../store/creative.repository.js';
import { LibraryRepository } from '../../store/library.repository.js';
import { UploadService } from '../../upload/upload.service.js';
import { tempRoot } from '../fixtures.js';
import {
  describeThrown,
  limitProblems,
  openUploader,
  placeMedium,
  removeDir,
  resendProblems,
  SILENT_LOG,
  startSimulator,
  STORAGE,
  type PointReport,
  type SweepMedia,
  type SweepMedium,
} from './exo-sweep-support.js';
import { PLATFORMS } from '../../platform/registry.js';

/**
 * The upload flow of the ExoClick sweep: `UploadService` sends a mixed set of staged outputs (a
 * native pair's video and thumbnail, prerolls, banners: every ExoClick file type) through the real
 * adapter to the simulator, on a fresh root, and the invariants are read off the simulator's
 * library and our records.
 */

/** One output sent: where its record has it, the name ExoClick shows, and its bytes. */
interface SentOutput {
  readonly key: string;
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
}

/** Media the flow needs: a native pair's video and still each, a preroll's video, a banner's still. */
export const UPLOAD_MEDIA = { pairs: 2, prerolls: 2, banners: 2 } as const;
export const UPLOAD_VIDEOS = UPLOAD_MEDIA.pairs + UPLOAD_MEDIA.prerolls;
export const UPLOAD_IMAGES = UPLOAD_MEDIA.pairs + UPLOAD_MEDIA.banners;

/** Runs the upload flow once, with `strike` or none, and checks it. */
export async function uploadPoint(media: SweepMedia, strike: ExoStrike | undefined): Promise<PointReport> {
  const layout = new Layout(await tempRoot('cf-sweep-exo-up-'));
  const creatives = await CreativeRepository.open(layout.db, STORAGE);
  const library = await LibraryRepository.open(PLATFORMS.exoclick.libraryCacheFile(layout), STORAGE);
  const sim = await startSimulator({ strike });
  try {
    const sent = await stageOutputs(layout, creatives, media);
    // As the daemon has it for ExoClick, with waits of a millisecond.
    const service = new UploadService({
      creatives,
      library,
      layout,
      events: new ActivityBus(),
      log: SILENT_LOG,
      options: {
        platform: 'exoclick',
        platforms: ['exoclick'],
        batchSize: 10,
        paceMs: 0,
        retries: 3,
        retryBaseMs: 1,
        lookupPages: 3,
        maxFailedPasses: 3,
      },
    });
    const problems: string[] = [];
    const uploader = await openUploader(sim).catch(
      (error: unknown) => void problems.push(`the API session did not open: ${describeThrown(error)}`),
    );
    let secondPass = false;
    if (uploader) {
      const first = await pass(service, uploader);
      problems.push(...first.problems, ...(await recordProblems(sim.state(), sent, creatives, library, false)));
      // Work left (a file failed every retry of the pass): the next pass must finish it, sending nothing twice.
      secondPass = first.workLeft;
      if (secondPass) {
        const second = await pass(service, uploader);
        problems.push(...second.problems, ...(second.thrown ? [`the second pass failed: ${second.thrown}`] : []));
      }
    }
    const state = sim.state();
    const resends = Object.values(state.resent).reduce((sum, times) => sum + times, 0);
    problems.push(
      ...(await recordProblems(state, sent, creatives, library, true)),
      ...limitProblems(state),
      ...resendProblems(resends, 'file'),
    );
    return { requests: state.requests, resends, secondPass, problems };
  } finally {
    await sim.close();
    await creatives.close();
    await removeDir(layout.root);
  }
}

/** One upload pass: whether it left work, what asked a person although the token is good, and what it threw otherwise. */
async function pass(
  service: UploadService,
  uploader: ExoUploader,
): Promise<{ workLeft: boolean; problems: string[]; thrown?: string }> {
  let summary: UploadSummary;
  try {
    summary = await service.run(uploader);
  } catch (error) {
    if (error instanceof CredentialsRefusedError || error instanceof LoginRequiredError)
      return { workLeft: true, problems: [`the pass stopped for a person: ${describeThrown(error)}`] };
    // A pass that throws leaves its files staged: a first one is judged by the pass after it.
    return { workLeft: true, problems: [], thrown: describeThrown(error) };
  }
  return {
    workLeft: summary.pending > 0,
    problems: summary.loginRequired ? [`the pass asked for a login: ${summary.loginMessage ?? ''}`] : [],
  };
}

/** The staged records, their files copied into the root from the media made once. */
async function stageOutputs(layout: Layout, creatives: CreativeRepository, media: SweepMedia): Promise<SentOutput[]> {
  const sent: SentOutput[] = [];
  const videos = [...media.videos];
  const images = [...media.images];
  const take = (from: SweepMedium[]): SweepMedium => {
    const medium = from.shift();
    if (!medium) throw new Error('the sweep made too few media for the upload flow');
    return medium;
  };
  const stage = async (
    kind: CreativeRecord['kind'],
    id: string,
    files: { role: OutputFile['role']; folder: string; name: string; medium: SweepMedium }[],
  ): Promise<void> => {
    const outputs: OutputFile[] = [];
    for (const { role, folder, name, medium } of files) {
      const relative = rootPath(`uploaded/${folder}/${name}.${medium.ext}`);
      await placeMedium(medium, layout.abs(relative));
      outputs.push(outputOf(role, relative, medium));
    }
    // An original is kept beside its outputs and never sent: the flow must leave it alone.
    if (kind === 'native')
      outputs.push({
        role: 'original',
        path: rootPath(`uploaded/Native/ORG_x_ID-${id}.mp4`),
        bytes: 1,
        width: 64,
        height: 48,
        format: 'mp4',
        converted: false,
      });
    const record = creatives.create({
      state: 'staged',
      kind,
      source: { path: rootPath(`inbox/${id}.mp4`), size: 1, mtimeMs: 1 },
      hash: id.padEnd(64, '0'),
      outputs,
      attempts: 0,
      times: {},
    });
    await creatives.commit(record);
    for (const [i, { name, medium }] of files.entries())
      sent.push({ key: record.key, name, file: outputs[i]?.path ?? '', sha256: medium.sha256 });
  };
  for (let i = 0; i < UPLOAD_MEDIA.pairs; i += 1) {
    const id = `0000A00${i}`;
    await stage('native', id, [
      {
        role: 'video',
        folder: 'Native/Video',
        name: `VID_EN_C_F_Real_NSFW_D_X_1sec_ID-${id}-VID`,
        medium: take(videos),
      },
      { role: 'image', folder: 'Native/Image', name: `IMG_EN_C_F_Real_NSFW_D_X_ID-${id}-IMG`, medium: take(images) },
    ]);
  }
  for (let i = 0; i < UPLOAD_MEDIA.prerolls; i += 1) {
    const id = `0000B00${i}`;
    await stage('preroll', id, [
      { role: 'creative', folder: 'Preroll', name: `EN_Preroll_F_Real_NSFW_D_X_ID-${id}`, medium: take(videos) },
    ]);
  }
  for (let i = 0; i < UPLOAD_MEDIA.banners; i += 1) {
    const id = `0000C00${i}`;
    await stage('image', id, [
      { role: 'creative', folder: 'Image', name: `EN_Banners_F_Real_NSFW_D_X_ID-${id}`, medium: take(images) },
    ]);
  }
  return sent;
}

function outputOf(role: OutputFile['role'], relative: RootPath, medium: SweepMedium): OutputFile {
  return { role, path: relative, bytes: 1, width: 64, height: 48, format: medium.ext, converted: true };
}

/**
 * The invariants, read off ExoClick's library and our records: each file on ExoClick once (at
 * most once while work is left), and every id we recorded (in the creative's record and in the
 * library cache) the id of the file with that output's own name and bytes.
 */
async function recordProblems(
  state: ExoSimState,
  sent: readonly SentOutput[],
  creatives: CreativeRepository,
  library: LibraryRepository,
  final: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  const when = final ? 'at the end' : 'after the first pass';
  for (const output of sent) {
    const copies = state.files.filter((file) => file.name === fileNameOf(output) && file.sha256 === output.sha256);
    if (copies.length > 1 || (final && copies.length === 0))
      problems.push(`${output.name} is on ExoClick ${copies.length} times ${when}`);
    const upload = (await creatives.load(output.key))?.outputs?.find((each) => each.path === output.file)?.uploads
      ?.exoclick;
    if (final && upload?.status !== 'uploaded')
      problems.push(
        `${output.name} ends ${upload?.status ?? 'unsent'}${upload?.message ? ` (${upload.message})` : ''}, not uploaded`,
      );
    const ids = new Set(copies.map((file) => String(file.id)));
    for (const [where, id] of [
      ['its record', upload?.creativeId],
      ['the library cache', library.get(output.name)?.creativeId],
    ] as const) {
      if (id !== undefined && !ids.has(id))
        problems.push(
          `${where} gives ${output.name} the id ${id}, not that of its own file (${[...ids].join(', ') || 'none'}) ${when}`,
        );
      if (final && id === undefined) problems.push(`${where} has no id for ${output.name}`);
    }
  }
  const ours = new Set(sent.map((output) => `${fileNameOf(output)} ${output.sha256}`));
  const strangers = state.files.filter((file) => !ours.has(`${file.name} ${file.sha256}`));
  if (strangers.length > 0)
    problems.push(`ExoClick holds files not sent as ours: ${strangers.map((file) => file.name).join(', ')}`);
  return problems;
}

function fileNameOf(output: SentOutput): string {
  return output.file.slice(output.file.lastIndexOf('/') + 1);
}
