// One fake speech-recognition WebSocket: turns received audio into turn.start / hypothesis / phrase / turn.end messages.
import type { WebSocket } from 'ws';
import type { FakeFaults, FakeSttOptions, FakeTranscript } from './fake-azure-speech-options';
import { type SegmentEvent, SpeechSegmenter, parseWavHeader } from './speech-segmenter';
import { newWireId, parseWireMessage, textFrame } from './wire-message';

export interface SttConnectionDeps {
  opts: Required<FakeSttOptions>;
  faults: FakeFaults;
  /** From the upgrade URL: `language=` and `lidEnabled=true`. */
  queryLanguage: string | undefined;
  lidEnabled: boolean;
  peekTranscript(): FakeTranscript | undefined;
  takeTranscript(): FakeTranscript | undefined;
  onAudioBytes(n: number): void;
  onSpeechContext(context: unknown): void;
}

const TICKS_PER_MS = 10_000; // the service reports times in 100 ns ticks

interface PhraseContext {
  phraseDetection?: { language?: string; conversation?: { segmentation?: { segmentationSilenceTimeoutMs?: number } } };
  languageId?: { languages?: string[] };
}

function textOf(t: FakeTranscript): string {
  return typeof t === 'string' ? t : t.text;
}

export function serveSttConnection(ws: WebSocket, deps: SttConnectionDeps): void {
  let requestId = '';
  let languages: string[] = [];
  let segmenter = newSegmenter(deps.opts.segmentationSilenceMs);
  let startDetectedSent = false;
  let hypotheses = 0;
  let turnAudioBytes = 0;

  function newSegmenter(silenceMs: number): SpeechSegmenter {
    return new SpeechSegmenter({ silenceMs, threshold: deps.opts.energyThreshold, progressEveryMs: deps.opts.hypothesisEveryMs });
  }

  function send(path: string, body: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(textFrame(path, requestId, body));
  }

  function languageFields(t: FakeTranscript | undefined): Record<string, unknown> {
    if (!deps.lidEnabled && languages.length < 2) return {};
    const language = (typeof t === 'object' ? t.language : undefined) ?? languages[0] ?? deps.queryLanguage ?? 'en-US';
    return { PrimaryLanguage: { Language: language, Confidence: 'High' } };
  }

  function hypothesis(offsetMs: number, durationMs: number): void {
    const next = deps.peekTranscript();
    if (next === undefined) return;
    const words = textOf(next).split(/\s+/).filter(Boolean);
    hypotheses += 1;
    const text = words.slice(0, Math.min(words.length, hypotheses)).join(' ');
    send('speech.hypothesis', { Text: text, Offset: offsetMs * TICKS_PER_MS, Duration: durationMs * TICKS_PER_MS, ...languageFields(next) });
  }

  function phrase(offsetMs: number, durationMs: number): void {
    hypotheses = 0;
    const times = { Offset: offsetMs * TICKS_PER_MS, Duration: durationMs * TICKS_PER_MS };
    const fault = deps.faults.errorPhrase;
    if (fault) {
      send('speech.phrase', { RecognitionStatus: fault === true ? 'Error' : fault, ...times });
      return;
    }
    const next = deps.takeTranscript();
    if (next === undefined) {
      send('speech.phrase', { RecognitionStatus: 'NoMatch', ...times });
      return;
    }
    send('speech.phrase', { RecognitionStatus: 'Success', DisplayText: textOf(next), ...times, ...languageFields(next) });
  }

  function onSegment(ev: SegmentEvent): void {
    if (ev.type === 'start') {
      if (!startDetectedSent) send('speech.startDetected', { Offset: ev.offsetMs * TICKS_PER_MS });
      startDetectedSent = true;
      hypothesis(ev.offsetMs, 10);
    } else if (ev.type === 'progress') {
      hypothesis(ev.offsetMs, ev.durationMs);
    } else if (deps.opts.mode === 'energy') {
      phrase(ev.offsetMs, ev.durationMs);
    }
  }

  function onContext(body: string): void {
    let context: PhraseContext = {};
    try {
      context = JSON.parse(body) as PhraseContext;
    } catch {
      // keep defaults; the real service would reject it, the fake stays lenient
    }
    deps.onSpeechContext(context);
    languages = context.languageId?.languages ?? [context.phraseDetection?.language ?? deps.queryLanguage ?? 'en-US'];
    const silenceMs = context.phraseDetection?.conversation?.segmentation?.segmentationSilenceTimeoutMs;
    segmenter = newSegmenter(silenceMs ?? deps.opts.segmentationSilenceMs);
    startDetectedSent = false;
    hypotheses = 0;
    turnAudioBytes = 0;
    send('turn.start', { context: { serviceTag: newWireId() } });
  }

  function onEndOfStream(): void {
    const pending = segmenter.finish();
    if (deps.opts.mode === 'end-of-stream' && turnAudioBytes > 0) {
      const durationMs = Math.round(segmenter.positionMs);
      hypothesis(0, durationMs);
      phrase(0, durationMs);
    } else if (pending?.type === 'end') {
      phrase(pending.offsetMs, pending.durationMs);
    }
    send('speech.endDetected', { Offset: segmenter.positionMs * TICKS_PER_MS });
    send('turn.end', {});
  }

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const msg = parseWireMessage(data, isBinary);
    if (!msg) return;
    if (msg.requestId) requestId = msg.requestId;
    if (msg.path === 'speech.context' && typeof msg.body === 'string') {
      onContext(msg.body);
    } else if (msg.path === 'audio' && Buffer.isBuffer(msg.body)) {
      const payload = msg.body;
      if (payload.length === 0) return onEndOfStream();
      if (msg.headers['content-type'] === 'audio/x-wav' || payload.subarray(0, 4).toString('latin1') === 'RIFF') {
        const format = parseWavHeader(payload);
        if (format) segmenter.setFormat(format);
        return;
      }
      deps.onAudioBytes(payload.length);
      turnAudioBytes += payload.length;
      for (const ev of segmenter.push(payload)) onSegment(ev);
    }
  });
}
