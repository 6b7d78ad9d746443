import { describeTjSweep } from './tj-sweep.js';

describeTjSweep([0, 3, 4]);
