import v8 from 'node:v8';

/**
 * How far V8 lets its heap grow between collections: 20% instead of its default of up to 4×. The
 * daemon runs for weeks on a small machine beside ffmpeg and sharp, and its large allocations are
 * short-lived (a database segment read, a page of the library), so the default lets RSS climb far
 * above what the work holds. At 100k creatives, 2,000 changes spread over the library peak at about
 * 170 MB instead of 280 MB, for about a tenth more time collecting (`npm run bench -- library`).
 * Every process of ours sets it first thing, the benchmark's included.
 */
export const HEAP_GROWING_PERCENT = 20;

export function holdHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * glibc's malloc arenas for a process of ours: with its default (8 per core) sharp's threads keep
 * freed image memory to themselves, and even with two, 20 native pairs and 100 photos of 12 MP
 * peak at 306 MB; with one, at 251 MB, in the same time (the threads are few and mostly in
 * libvips' own buffers). It must be in the environment before the process starts, so `npm start`
 * and `ecosystem.config.js` set it, and the benchmark runs its children with it.
 */
export const MALLOC_ARENA_MAX = '1';
