// Runs the fake Azure Speech and fake OpenAI services in their own process for the benchmark; prints their URLs.
// Usage: node fake-services.js LLM_FIRST_TOKEN_MS TTS_FIRST_CHUNK_MS; stops when stdin closes.
import { startFakeAzureSpeech, startFakeOpenAI } from '@tva/providers';

async function main(): Promise<void> {
  const llmMs = Number(process.argv[2] ?? 200);
  const ttsMs = Number(process.argv[3] ?? 100);
  const openai = await startFakeOpenAI({ apiKey: 'sk-bench', firstTokenDelayMs: llmMs, interTokenDelayMs: 0, reply: () => ({ text: 'בסדר, הבנתי אותך. משהו נוסף?' }) });
  const azure = await startFakeAzureSpeech({
    expectedKey: 'azure-bench',
    transcripts: Array.from({ length: 100_000 }, () => 'מה שעות הפתיחה?'),
    stt: { segmentationSilenceMs: 400 },
    tts: { msPerChar: 50, chunkBytes: 1600, firstChunkDelayMs: ttsMs, chunkDelayMs: 0 },
  });
  process.stdout.write(`${JSON.stringify({ openai: openai.baseURL, azure: azure.url })}\n`);
  process.stdin.on('end', () => {
    void Promise.all([openai.close(), azure.close()]).finally(() => process.exit(0));
  });
  process.stdin.resume();
}

void main();
