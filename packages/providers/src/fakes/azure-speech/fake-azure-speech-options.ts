// Options, fault switches and the handle of the fake Azure Speech service.

/** A scripted recognition: plain text, or text with the language an auto-detecting client should be told. */
export type FakeTranscript = string | { text: string; language?: string };

export type FakeServiceKind = 'stt' | 'tts';

/** Faults, applied to every connection (`setFaults`) or to the next one (`failNext`). */
export interface FakeFaults {
  /** Answer the WebSocket upgrade with this HTTP status (true → 401). */
  failAuth?: boolean | 401 | 403;
  /** Destroy the TCP socket this many ms after the upgrade (no close frame). */
  dropAfterMs?: number;
  /** 'upgrade': never answer the HTTP upgrade; 'open': accept the WebSocket, then never send anything. */
  hang?: 'upgrade' | 'open';
  /** STT: answer phrases with this RecognitionStatus instead of Success (true → 'Error'). */
  errorPhrase?: boolean | 'Error' | 'TooManyRequests' | 'BadRequest';
}

export interface FakeSttOptions {
  /** 'energy' (default): a phrase after each speech segment plus silence; 'end-of-stream': one phrase when the client ends the audio. */
  mode?: 'energy' | 'end-of-stream';
  /** Silence that ends a segment when the client sent none in speech.context. Default 500. */
  segmentationSilenceMs?: number;
  /** Mean absolute int16 amplitude of a 10 ms frame that counts as speech. Default 400. */
  energyThreshold?: number;
  /** A hypothesis every this many ms of speech (audio time). Default 200. */
  hypothesisEveryMs?: number;
}

export interface FakeTtsOptions {
  /** Audio produced per character of text. Default 60. */
  msPerChar?: number;
  /** Bytes per audio frame sent. Default 1600 (200 ms of 8 kHz μ-law). */
  chunkBytes?: number;
  /** Delay before the first audio frame. Default 0. */
  firstChunkDelayMs?: number;
  /** Delay between audio frames. Default 0. */
  chunkDelayMs?: number;
}

export interface FakeAzureSpeechOptions {
  transcripts?: FakeTranscript[];
  stt?: FakeSttOptions;
  tts?: FakeTtsOptions;
  faults?: FakeFaults;
  /** When set, any other subscription key gets HTTP 401, like the real service. */
  expectedKey?: string;
}

/** One synthesis request as the fake saw it. */
export interface FakeTtsTurn {
  ssml: string;
  outputFormat: string | undefined;
  /** The text inside the SSML, tags removed and entities decoded. */
  text: string;
  chunksSent: number;
  bytesSent: number;
  /** performance.now() when the first / last audio frame was sent. */
  firstChunkAt: number | undefined;
  lastChunkAt: number | undefined;
  completed: boolean;
}

export interface FakeAzureSpeech {
  /** ws://127.0.0.1:PORT — pass to SpeechConfig.fromHost. */
  readonly url: string;
  readonly port: number;
  /** WebSocket upgrades seen (including refused ones). */
  readonly connections: number;
  readonly sttConnections: number;
  readonly ttsConnections: number;
  /** Connections open right now. */
  readonly openConnections: number;
  /** Request paths with query strings, in arrival order. */
  readonly upgradeUrls: readonly string[];
  /** μ-law/PCM payload bytes received on STT connections (WAV headers excluded). */
  readonly audioBytesReceived: number;
  /** Parsed speech.context bodies, in arrival order. */
  readonly speechContexts: readonly unknown[];
  /** SSML documents received, in arrival order. */
  readonly ssml: readonly string[];
  readonly ttsTurns: readonly FakeTtsTurn[];
  /** Transcripts not yet used. */
  readonly pendingTranscripts: number;
  setScript(transcripts: FakeTranscript[]): void;
  setFaults(faults: FakeFaults): void;
  /** Faults for the next connection only (of the given kind, if given). */
  failNext(faults: FakeFaults, kind?: FakeServiceKind): void;
  close(): Promise<void>;
}
