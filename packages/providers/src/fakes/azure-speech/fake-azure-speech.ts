// A local Azure Speech service (STT and TTS over the real wire protocol) for driving the real SDK in tests.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import type {
  FakeAzureSpeech,
  FakeAzureSpeechOptions,
  FakeFaults,
  FakeServiceKind,
  FakeTranscript,
  FakeTtsTurn,
} from './fake-azure-speech-options';
import { serveSttConnection } from './fake-stt-connection';
import { serveTtsConnection } from './fake-tts-connection';

// Paths the SDK uses: fromHost → v1 conversation (even with Continuous language id); a region → /stt/speech/universal/v2.
const STT_PATHS = new Set([
  '/speech/recognition/conversation/cognitiveservices/v1',
  '/speech/recognition/interactive/cognitiveservices/v1',
  '/speech/recognition/dictation/cognitiveservices/v1',
  '/stt/speech/universal/v2',
]);
const TTS_PATH = '/tts/cognitiveservices/websocket/v1';

function refuse(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

export async function startFakeAzureSpeech(opts: FakeAzureSpeechOptions = {}): Promise<FakeAzureSpeech> {
  // Loaded here, not at import: the providers index re-exports this file and the media worker must start fast.
  const http = require('node:http') as typeof import('node:http');
  const { WebSocketServer: Wss } = require('ws') as typeof import('ws');

  const sttOpts = {
    mode: opts.stt?.mode ?? 'energy',
    segmentationSilenceMs: opts.stt?.segmentationSilenceMs ?? 500,
    energyThreshold: opts.stt?.energyThreshold ?? 400,
    hypothesisEveryMs: opts.stt?.hypothesisEveryMs ?? 200,
  } as const;
  const ttsOpts = {
    msPerChar: opts.tts?.msPerChar ?? 60,
    chunkBytes: opts.tts?.chunkBytes ?? 1600,
    firstChunkDelayMs: opts.tts?.firstChunkDelayMs ?? 0,
    chunkDelayMs: opts.tts?.chunkDelayMs ?? 0,
  };

  let script: FakeTranscript[] = [...(opts.transcripts ?? [])];
  let globalFaults: FakeFaults = { ...opts.faults };
  const oneShot: { faults: FakeFaults; kind: FakeServiceKind | undefined }[] = [];
  const sockets = new Set<Socket>();
  const live = new Set<WebSocket>();
  const upgradeUrls: string[] = [];
  const speechContexts: unknown[] = [];
  const ttsTurns: FakeTtsTurn[] = [];
  let connections = 0;
  let sttConnections = 0;
  let ttsConnections = 0;
  let audioBytesReceived = 0;

  const server: Server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const wss: WebSocketServer = new Wss({ noServer: true });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function faultsFor(kind: FakeServiceKind): FakeFaults {
    const i = oneShot.findIndex((f) => f.kind === undefined || f.kind === kind);
    const next = i >= 0 ? oneShot.splice(i, 1)[0]?.faults : undefined;
    return { ...globalFaults, ...next };
  }

  function keyOf(req: IncomingMessage, url: URL): string | undefined {
    const header = req.headers['ocp-apim-subscription-key'];
    return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('Ocp-Apim-Subscription-Key') ?? undefined;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://fake');
    upgradeUrls.push(url.pathname + url.search);
    connections += 1;
    const kind: FakeServiceKind | undefined = STT_PATHS.has(url.pathname) ? 'stt' : url.pathname === TTS_PATH ? 'tts' : undefined;
    if (!kind) return refuse(socket, 404, 'Not Found');
    if (kind === 'stt') sttConnections += 1;
    else ttsConnections += 1;
    const faults = faultsFor(kind);
    if (faults.hang === 'upgrade') return; // the socket stays open, unanswered, until close()
    if (faults.failAuth) return refuse(socket, faults.failAuth === 403 ? 403 : 401, faults.failAuth === 403 ? 'Forbidden' : 'Unauthorized');
    if (opts.expectedKey !== undefined && keyOf(req, url) !== opts.expectedKey) return refuse(socket, 401, 'Unauthorized');

    wss.handleUpgrade(req, socket, head, (ws) => {
      live.add(ws);
      ws.on('close', () => live.delete(ws));
      ws.on('error', () => undefined);
      if (faults.dropAfterMs !== undefined) {
        const timer = setTimeout(() => socket.destroy(), faults.dropAfterMs);
        ws.on('close', () => clearTimeout(timer));
      }
      if (faults.hang === 'open') return;
      if (kind === 'stt') {
        serveSttConnection(ws, {
          opts: sttOpts,
          faults,
          queryLanguage: url.searchParams.get('language') ?? undefined,
          lidEnabled: url.searchParams.get('lidEnabled') === 'true',
          peekTranscript: () => script[0],
          takeTranscript: () => script.shift(),
          onAudioBytes: (n) => (audioBytesReceived += n),
          onSpeechContext: (c) => speechContexts.push(c),
        });
      } else {
        serveTtsConnection(ws, { opts: ttsOpts, onTurn: (t) => ttsTurns.push(t) });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    get connections() { return connections; },
    get sttConnections() { return sttConnections; },
    get ttsConnections() { return ttsConnections; },
    get openConnections() { return live.size; },
    get upgradeUrls() { return upgradeUrls; },
    get audioBytesReceived() { return audioBytesReceived; },
    get speechContexts() { return speechContexts; },
    get ssml() { return ttsTurns.map((t) => t.ssml); },
    get ttsTurns() { return ttsTurns; },
    get pendingTranscripts() { return script.length; },
    setScript(transcripts) { script = [...transcripts]; },
    setFaults(faults) { globalFaults = { ...faults }; },
    failNext(faults, kind) { oneShot.push({ faults, kind }); },
    async close() {
      for (const ws of live) ws.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
