// The user turn a key press becomes, in both modes: "[DTMF 5]" — defined once, read by the scripted agent and the LLM.

/** Keys a caller can send: DTMF tones 0-9, * and #, and the rarely used A-D. */
export const DTMF_KEYS = /^[0-9*#A-D]+$/;

const DTMF_TURN = /^\s*\[DTMF\s*([0-9*#A-D]+)\]\s*$/i;

/** The user turn for these keys; undefined when `keys` holds anything but DTMF keys (never LLM input). */
export function dtmfTurnText(keys: string): string | undefined {
  return DTMF_KEYS.test(keys) ? `[DTMF ${keys}]` : undefined;
}

/** The keys of a DTMF user turn, or undefined when the turn is speech. */
export function dtmfKeysOf(text: string): string | undefined {
  return DTMF_TURN.exec(text)?.[1];
}

/** The user turn when speech ended but nothing was recognized: the agent still answers (and offers the keypad). */
export const UNRECOGNIZED_SPEECH_TURN = '[unrecognized speech]';
