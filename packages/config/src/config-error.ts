// The error thrown when the environment is wrong: it lists every problem at once.
import { createErrorClass } from '@tva/errors';

export interface ConfigProblem {
  name: string;
  value: string;
  problem: string;
}

export const CONFIG_ERRORS = {
  CONFIG_ERR_INVALID: { message: 'invalid configuration' },
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

export class ConfigError extends createErrorClass('ConfigError', CONFIG_ERRORS) {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super('CONFIG_ERR_INVALID', problems.map((p) => `${p.name}=${JSON.stringify(p.value)} ${p.problem}`).join('; '));
    this.problems = problems;
  }
}
