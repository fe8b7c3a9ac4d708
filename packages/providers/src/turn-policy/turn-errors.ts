// The turn policy's error catalogue: every refused tool call and every reply the caller could not hear is logged with one of these.

export const TURN_ERRORS = {
  TURN_ERR_UNKNOWN_TOOL: { message: 'the model called a tool it was not offered' },
  TURN_ERR_BAD_TOOL_ARGS: { message: 'the model called an offered tool with arguments outside its schema' },
  TURN_ERR_EMPTY_REPLY: { message: 'the model gave the caller no words and no usable tool call (after one re-ask when a tool was refused)' },
} as const;

export type TurnErrorCode = keyof typeof TURN_ERRORS;
