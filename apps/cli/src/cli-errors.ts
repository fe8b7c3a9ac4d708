// The command-line tools' error catalogue (exit code 2 with the message; no server answers with these).

export const CLI_ERRORS = {
  CLI_ERR_USAGE: { message: 'bad arguments' },
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;
