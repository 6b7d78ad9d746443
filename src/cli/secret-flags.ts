/** A credential given on the command line, by the flag that took it. */
const SECRET_FLAGS = [
  { flag: '--password', option: 'password', asked: 'the TJ password', env: 'TJ_PASSWORD' },
  { flag: '--exo-token', option: 'exoToken', asked: 'the ExoClick API token', env: 'EXO_API_TOKEN' },
] as const;

/**
 * What to say when a credential came as a flag: it still works, but it stays in the shell's history
 * and shows in the process list while the command runs, where a prompt leaves no trace.
 */
export function secretFlagWarnings(
  options: Readonly<Partial<Record<(typeof SECRET_FLAGS)[number]['option'], string>>>,
): string[] {
  return SECRET_FLAGS.filter(({ option }) => options[option] !== undefined).map(
    ({ flag, asked, env }) =>
      `creative-flow: ${flag} leaves ${asked} in your shell's history and the process list. Next time leave it out to be asked for it (masked), or set ${env} in the environment for a script.`,
  );
}
