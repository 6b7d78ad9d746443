import { describeVariant } from './variant-matrix.js';

// The matrix is split in two files so the two workers share it, the heavier fault mixes on the quicker builds.
describeVariant({ variant: 2, faults: ['drop', 'drop', 'server-error', 'proxy-error', 'drop'], preroll: true });
describeVariant({ variant: 1, faults: ['proxy-error', 'drop'], preroll: true });
