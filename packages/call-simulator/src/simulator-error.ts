// Errors raised by the call simulator, each with a stable code (catalogue in SIMULATOR_ERRORS).
import { createErrorClass } from '@tva/errors';

export const SIMULATOR_ERRORS = {
  SIM_ERR_BAD_URL: { message: 'URL must be ws://, wss://, http:// or https://' },
  SIM_ERR_CONNECT_FAILED: { message: 'Could not connect' },
  SIM_ERR_CONNECT_TIMEOUT: { message: 'Connection did not open in time' },
  SIM_ERR_UPGRADE_REFUSED: { message: 'Server refused the WebSocket upgrade' },
  SIM_ERR_WS: { message: 'WebSocket error during the call' },
  SIM_ERR_CLOSED: { message: 'The call is closed' },
  SIM_ERR_DEADLINE: { message: 'The call hit its hard deadline' },
  SIM_ERR_BAD_WAV: { message: 'Audio file is not a usable WAV' },
} as const;

export type SimulatorErrorCode = keyof typeof SIMULATOR_ERRORS;

export class SimulatorError extends createErrorClass('SimulatorError', SIMULATOR_ERRORS) {
  /** The HTTP status the server answered a refused upgrade with. */
  readonly upstreamStatus: number | undefined;

  constructor(code: SimulatorErrorCode, detail?: string, opts: { upstreamStatus?: number; cause?: unknown } = {}) {
    super(code, detail, { cause: opts.cause });
    this.upstreamStatus = opts.upstreamStatus;
  }
}
