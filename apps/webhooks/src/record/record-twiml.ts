// TwiML of RECORD mode, built with the twilio library: speak, then <Record> (or hold, hang up, dial).
// why: deep import — the whole `twilio` package costs ~200 ms to load.
import VoiceResponse = require('twilio/lib/twiml/VoiceResponse');
import type { CallAction } from '@tva/security';
import { joinUrl } from '../public-base';

export const RECORDING_PATH = '/webhook/recording';
export const CONTINUE_PATH = '/webhook/record_continue';
export const RESUME_PATH = '/webhook/record_resume';
export const AUDIO_PATH = '/audio';

/** Something to say: our own audio by URL, or text for Twilio's <Say>. */
export type Speech = { play: string } | { say: string; language: string; voice?: string | undefined };

export interface RecordVerbSettings {
  maxLengthS: number;
  silenceTimeoutS: number;
}

function speak(response: VoiceResponse, speech: readonly Speech[]): void {
  for (const s of speech) {
    if ('play' in s) response.play(s.play);
    else response.say({ language: s.language, ...(s.voice ? { voice: s.voice } : {}) } as VoiceResponse.SayAttributes, s.say);
  }
}

export function audioUrl(base: string, id: string): string {
  return joinUrl(base, `${AUDIO_PATH}/${id}.wav`);
}

/**
 * Speak, then record the caller's next turn. A caller who says nothing produces no recording, so Twilio skips the
 * <Record action> and runs the next verb: the <Redirect> that prompts again (`silent` counts those in a row).
 */
export function listenTwiml(base: string, speech: readonly Speech[], rec: RecordVerbSettings, silent = 1): string {
  const response = new VoiceResponse();
  speak(response, speech);
  response.record({
    action: joinUrl(base, RECORDING_PATH),
    method: 'POST',
    maxLength: rec.maxLengthS,
    timeout: rec.silenceTimeoutS,
    playBeep: false,
    trim: 'trim-silence',
  });
  response.redirect({ method: 'POST' }, joinUrl(base, `${RESUME_PATH}?silent=${silent}`));
  return response.toString();
}

/** A hold phrase, then back to us for the answer still being computed. */
export function holdTwiml(base: string, speech: readonly Speech[], turnId: string): string {
  const response = new VoiceResponse();
  speak(response, speech);
  response.redirect({ method: 'POST' }, joinUrl(base, `${CONTINUE_PATH}?turn=${encodeURIComponent(turnId)}`));
  return response.toString();
}

/** The last words of the call, then <Hangup/> or <Dial> to a person (`to` is a checked E.164 number, see callTools). */
export function endTwiml(speech: readonly Speech[], then: CallAction): string {
  const response = new VoiceResponse();
  speak(response, speech);
  if (then.kind === 'hangup') response.hangup();
  else response.dial(then.to);
  return response.toString();
}

export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}
