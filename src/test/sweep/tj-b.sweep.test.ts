import { describeTjSweep } from './tj-sweep.js';

describeTjSweep([1, 3]);
