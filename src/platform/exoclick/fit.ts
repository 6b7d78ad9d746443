import type { UploadTarget } from '../../core/platform.js';
import type { OutputFile } from '../../core/record.js';
import type { ExoFileType } from './endpoints.js';

/** What ExoClick takes, by file type: the profile's limits (`EXO_*_MAX_BYTES`). */
export interface ExoLimits {
  /** ExoClick's library file type for each of our targets. */
  readonly fileTypes: Readonly<Record<UploadTarget, ExoFileType>>;
  /** Images (`image`): display banners are under 150 KB. `EXO_IMAGE_MAX_BYTES`. */
  readonly imageMaxBytes: number;
  readonly imageFormats: readonly string[];
  /** Video banners (`video_banner`, our native videos): MP4 display banners are under 150 KB too. `EXO_VIDEO_BANNER_MAX_BYTES`. */
  readonly videoBannerMaxBytes: number;
  /** In-stream videos (`video`): MP4, H.264, at most 50 MB. `EXO_VIDEO_MAX_BYTES`. */
  readonly videoMaxBytes: number;
  readonly videoFormats: readonly string[];
}

/**
 * Why an output does not fit ExoClick's limits (it is then not sent there, and the other platforms
 * go on), or undefined when it fits. The limits are the profile's settings.
 */
export function exoUnfit(profile: ExoLimits): (output: OutputFile, target: UploadTarget) => string | undefined {
  return (output, target) => {
    const type = profile.fileTypes[target];
    const format = output.format.toLowerCase();
    const [limit, formats, what] =
      type === 'image'
        ? [profile.imageMaxBytes, profile.imageFormats, 'an image']
        : type === 'video_banner'
          ? [profile.videoBannerMaxBytes, profile.videoFormats, 'a video banner']
          : [profile.videoMaxBytes, profile.videoFormats, 'an in-stream video'];
    if (!formats.some((allowed) => format.includes(allowed)))
      return `ExoClick takes ${what} as ${formats.join(', ')}, and this is ${output.format}`;
    if (output.bytes > limit)
      return `${kb(output.bytes)} is over ExoClick's ${kb(limit)} for ${what} (EXO_${type === 'image' ? 'IMAGE' : type === 'video_banner' ? 'VIDEO_BANNER' : 'VIDEO'}_MAX_BYTES)`;
    return undefined;
  };
}

function kb(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} KB`;
}
