import { describeTjSweep } from './tj-sweep.js';

// The variants are split in two files so the two workers share them (the panels build, 2, is the slowest).
describeTjSweep([2, 1]);
