import { describeVariant } from './variant-matrix.js';

// The build that holds only what the contract names: every flow, through a fault mix, on a campaign with no ads yet.
describeVariant({ variant: 4, faults: ['server-error', 'drop', 'proxy-error'], preroll: true });
