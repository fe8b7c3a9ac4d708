// The error thrown when the environment is wrong: it lists every problem at once.

export interface ConfigProblem {
  name: string;
  value: string;
  problem: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERR_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.name}=${JSON.stringify(p.value)} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
