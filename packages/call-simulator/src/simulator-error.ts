// Errors raised by the call simulator, each with a stable code.

export const SIMULATOR_ERRORS = {
  SIM_ERR_BAD_URL: 'URL must be ws://, wss://, http:// or https://',
  SIM_ERR_CONNECT_FAILED: 'Could not connect',
  SIM_ERR_CONNECT_TIMEOUT: 'Connection did not open in time',
  SIM_ERR_UPGRADE_REFUSED: 'Server refused the WebSocket upgrade',
  SIM_ERR_CLOSED: 'The call is closed',
  SIM_ERR_DEADLINE: 'The call hit its hard deadline',
  SIM_ERR_BAD_WAV: 'Audio file is not a usable WAV',
} as const;

export type SimulatorErrorCode = keyof typeof SIMULATOR_ERRORS;

export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;
  /** HTTP status of a refused upgrade. */
  readonly status: number | undefined;

  constructor(code: SimulatorErrorCode, detail?: string, status?: number) {
    super(detail === undefined ? SIMULATOR_ERRORS[code] : `${SIMULATOR_ERRORS[code]}: ${detail}`);
    this.name = 'SimulatorError';
    this.code = code;
    this.status = status;
  }
}
