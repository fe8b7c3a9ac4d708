// One browser call: gets a one-time token from the console, then speaks Media Streams to the media worker exactly as Twilio does.
import { twilioMessage } from '@tva/twilio-media-stream/dist/twilio-message.js';
import { parseServerMessage } from '@tva/twilio-media-stream/dist/parse-server-message.js';
import { startMicCapture, type MicCapture } from './mic-capture';
import { PlaybackQueue, type PlaybackCounters } from './playback-queue';

export const SOFTPHONE_TOKEN_URL = '/api/softphone/token';

export type SoftphoneState = 'idle' | 'connecting' | 'live' | 'ended' | 'failed';

export interface SoftphoneCounters extends PlaybackCounters {
  mediaSent: number;
  mediaReceived: number;
  marksReceived: number;
  /** Every mark answered (played + cleared). */
  marksEchoed: number;
  dtmfSent: number;
}

export interface SoftphoneEvents {
  onState(state: SoftphoneState, detail?: string): void;
  onCounters(counters: SoftphoneCounters): void;
}

interface TokenReply {
  callSid: string;
  token: string;
  path: string;
}

const hex = (bytes: number): string => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/** The console's answer, or an Error saying why there is none (not logged in, no CSRF token, server down). */
async function fetchToken(): Promise<TokenReply> {
  const res = await fetch(SOFTPHONE_TOKEN_URL, { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrfToken() } });
  if (!res.ok) throw new Error(`the console refused a softphone token (HTTP ${res.status})`);
  return (await res.json()) as TokenReply;
}

export class SoftphoneCall {
  state: SoftphoneState = 'idle';
  callSid = '';
  readonly streamSid = `MZ${hex(16)}`;
  /** why: Twilio's account SID has this shape; a browser call has no account, so it is all zeros. */
  private readonly accountSid = `AC${'0'.repeat(32)}`;
  private ws: WebSocket | undefined;
  private ctx: AudioContext | undefined;
  private mic: MicCapture | undefined;
  private playback: PlaybackQueue | undefined;
  private seq = 1;
  private chunk = 0;
  private startedAt = 0;
  /** `start` is sent: media may follow (never before it, as with Twilio). */
  private streaming = false;
  private readonly sent = { mediaSent: 0, mediaReceived: 0, marksReceived: 0, dtmfSent: 0 };

  constructor(private readonly events: SoftphoneEvents) {}

  get counters(): SoftphoneCounters {
    const p = this.playback?.counters ?? { audioPlayedMs: 0, marksPlayed: 0, marksCleared: 0, clears: 0 };
    return { ...this.sent, ...p, audioPlayedMs: Math.round(p.audioPlayedMs), marksEchoed: p.marksPlayed + p.marksCleared };
  }

  /** Call from a click: the AudioContext may only start on a user gesture. */
  async dial(): Promise<void> {
    if (this.state !== 'idle') return;
    this.setState('connecting');
    try {
      if (!window.isSecureContext || !navigator.mediaDevices) throw new Error('browsers give the microphone only to https:// pages and to localhost');
      this.ctx = new AudioContext();
      await this.ctx.resume();
      this.playback = new PlaybackQueue(this.ctx, (name, cleared) => this.echoMark(name, cleared), () => this.report());
      // why the microphone first: a refused microphone then costs no token, no stream and no call record.
      this.mic = await startMicCapture(this.ctx, (frame) => this.sendMedia(frame));
      const token = await fetchToken();
      this.callSid = token.callSid;
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      // why no subprotocol: Twilio offers none on its upgrade, and the media worker accepts that.
      const ws = new WebSocket(`${scheme}://${location.host}${token.path}`);
      this.ws = ws;
      ws.onmessage = (ev) => this.onMessage(String(ev.data));
      ws.onclose = (ev) => this.finish(ev.code === 1000 || ev.code === 1001 ? 'ended' : 'failed', `closed ${ev.code}${ev.reason ? ` ${ev.reason}` : ''}`);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('the media stream could not be opened'));
      });
      ws.send(twilioMessage.connected());
      ws.send(twilioMessage.start({ streamSid: this.streamSid, callSid: this.callSid, accountSid: this.accountSid, sequenceNumber: this.seq++, customParameters: { call_token: token.token } }));
      this.startedAt = performance.now();
      this.streaming = true;
      if ((this.state as SoftphoneState) === 'connecting') this.setState('live'); // a close meanwhile has ended it
    } catch (err) {
      this.finish('failed', (err as Error).message);
    }
  }

  /** A key of the on-screen keypad, sent as Twilio sends a caller's DTMF. */
  dtmf(digit: string): void {
    if (!this.isOpen()) return;
    if (!this.streaming) return;
    this.ws?.send(twilioMessage.dtmf({ streamSid: this.streamSid, sequenceNumber: this.seq++, digit }));
    this.sent.dtmfSent += 1;
    this.report();
  }

  /** The caller hangs up: `stop`, then close (as Twilio does). */
  hangUp(): void {
    if (this.isOpen()) {
      this.ws?.send(twilioMessage.stop({ streamSid: this.streamSid, sequenceNumber: this.seq++, accountSid: this.accountSid, callSid: this.callSid }));
      this.ws?.close(1000, 'caller hung up');
    }
    this.finish('ended', 'you hung up');
  }

  private isOpen(): boolean {
    return this.ws !== undefined && this.ws.readyState === WebSocket.OPEN;
  }

  private sendMedia(frame: Uint8Array): void {
    if (!this.streaming || !this.isOpen()) return;
    const timestamp = Math.round(performance.now() - this.startedAt);
    this.ws?.send(twilioMessage.media({ streamSid: this.streamSid, sequenceNumber: this.seq++, chunk: ++this.chunk, timestamp, payload: frame }));
    this.sent.mediaSent += 1;
    if (this.sent.mediaSent % 50 === 0) this.report();
  }

  private echoMark(name: string, _cleared: boolean): void {
    if (!this.isOpen()) return;
    this.ws?.send(twilioMessage.mark({ streamSid: this.streamSid, sequenceNumber: this.seq++, name }));
  }

  private onMessage(text: string): void {
    let msg;
    try {
      // Strict, as Twilio is: an unknown event or an extra field would be Twilio's warning 31951.
      msg = parseServerMessage(text, this.streamSid);
    } catch (err) {
      console.warn('softphone: ignored a frame Twilio would refuse:', (err as Error).message);
      return;
    }
    switch (msg.event) {
      case 'media':
        this.sent.mediaReceived += 1;
        this.playback?.enqueue(base64ToBytes(msg.media.payload));
        break;
      case 'mark':
        this.sent.marksReceived += 1;
        this.playback?.mark(msg.mark.name);
        break;
      case 'clear':
        this.playback?.clear();
        break;
    }
  }

  /** Ends the call locally: the microphone stops at once; what the agent already said plays out. */
  private finish(state: 'ended' | 'failed', detail: string): void {
    if (this.state === 'ended' || this.state === 'failed') return;
    this.mic?.stop();
    this.mic = undefined;
    if (this.ws && this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    this.setState(state, detail);
    const ctx = this.ctx;
    const left = this.playback?.queuedS ?? 0;
    setTimeout(() => {
      this.playback?.close();
      void ctx?.close();
      this.report();
    }, (left + 0.5) * 1000);
  }

  private setState(state: SoftphoneState, detail?: string): void {
    this.state = state;
    this.events.onState(state, detail);
    this.report();
  }

  private report(): void {
    this.events.onCounters(this.counters);
  }
}
