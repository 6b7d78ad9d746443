import { describeVariant } from './variant-matrix.js';

// The matrix is split in two files so the two workers share it, the heavier fault mixes on the quicker builds.
describeVariant({ variant: 0, faults: ['drop', 'server-error', 'ok', 'drop', 'proxy-error'], preroll: false });
describeVariant({ variant: 3, faults: ['server-error', 'drop'], preroll: false });
