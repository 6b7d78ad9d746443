import { confirm, input, password } from '@inquirer/prompts';
import type { Prompter } from '../setup/setup.js';

/** Setup's questions on a terminal, through @inquirer/prompts; a password is masked. */
export const terminalPrompter: Prompter = {
  input: (message, defaultValue) => input({ message, ...(defaultValue ? { default: defaultValue } : {}) }),
  password: (message) => password({ message, mask: '*' }),
  confirm: (message, defaultValue) => confirm({ message, default: defaultValue }),
};
