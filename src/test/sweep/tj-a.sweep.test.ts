import { describeTjSweep } from './tj-sweep.js';

// The variants are split in two files so the two workers share them.
describeTjSweep([0, 2, 4]);
