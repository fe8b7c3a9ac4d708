// Chooses the provider for each stage from the config (for the media worker and RECORD mode alike): Azure/OpenAI when keys are set, else the embedded offline ones.
import { readFileSync } from 'node:fs';
import type { Config } from '@tva/config';
import { EVENTS, type Logger } from '@tva/logging';
import { AzureSttProvider, AzureTtsProvider } from './azure';
import { DtmfOnlySttProvider, EspeakTtsProvider, PocketsphinxSttProvider, ScriptedLlmProvider, keywordsFromAgentScript, loadAgentScript } from './offline';
import { OpenAiLlmProvider } from './openai';
import type { ProviderSet, TtsProvider } from './contracts';
import { type CallTools, callTools, offeredToolNames } from './turn-policy';

export const DEFAULT_SYSTEM_PROMPT =
  'You are a friendly phone assistant for a small business. Callers mostly speak Hebrew, sometimes English: answer in the caller\'s language. ' +
  'Speak in short, natural sentences suitable for a phone call (no lists, no markdown, no emojis). ' +
  'When the caller is done, say a short goodbye and call end_call. If they ask for a person, call transfer_call.';

export interface ChosenProviders {
  /** A provider set for one call: TTS is per call, because Azure queues synthesis requests on one connection. */
  forCall(): ProviderSet;
  /** TTS for fixed phrases, in order of preference (the main TTS, then offline). */
  phraseTts: TtsProvider[];
  greeting: string;
  /** The call tools both modes offer and obey (transfer only with a valid TRANSFER_NUMBER). */
  tools: CallTools;
}

export function createProviders(config: Config, log: Logger): ChosenProviders {
  const azure = config.azureSpeechKey ? { key: config.azureSpeechKey, region: config.azureSpeechRegion, host: config.azureSpeechHost } : undefined;
  const espeak = new EspeakTtsProvider({ defaultLanguage: config.ttsLanguage.startsWith('en') ? 'en' : 'he' });

  const stt = azure
    ? new AzureSttProvider({ ...azure, languages: config.sttLanguages, segmentationSilenceMs: config.sttSegmentationSilenceMs })
    : config.offlineStt === 'pocketsphinx'
      ? new PocketsphinxSttProvider({ keywords: keywordsFromAgentScript(loadAgentScript(config.agentScriptFile)) })
      : new DtmfOnlySttProvider();
  const makeTts = (): TtsProvider =>
    azure ? new AzureTtsProvider({ ...azure, voice: config.ttsVoice, language: config.ttsLanguage, firstChunkTimeoutMs: config.ttsTimeoutMs }) : espeak;
  const tts = makeTts();

  const tools = callTools(config.transferNumber);
  let llm: ProviderSet['llm'];
  let scriptedGreeting: string | undefined;
  if (config.openaiApiKey) {
    const systemPrompt = config.systemPromptFile ? readFileSync(config.systemPromptFile, 'utf8') : DEFAULT_SYSTEM_PROMPT;
    llm = new OpenAiLlmProvider({
      apiKey: config.openaiApiKey,
      ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
      model: config.openaiModel,
      systemPrompt,
      timeoutMs: config.llmTimeoutMs,
      // why: offering transfer_call with nowhere to transfer to would make the model promise what cannot happen.
      tools: offeredToolNames(tools),
    });
  } else {
    const scripted = new ScriptedLlmProvider({ transfer: tools.transferTo !== undefined, ...(config.agentScriptFile ? { scriptPath: config.agentScriptFile } : {}) });
    scriptedGreeting = scripted.greeting();
    llm = scripted;
  }
  log.info(
    { event: EVENTS.PROVIDERS, stt: stt.name, llm: llm.name, tts: tts.name, languages: config.sttLanguages, voice: azure ? config.ttsVoice : 'espeak-ng' },
    `providers: stt=${stt.name} llm=${llm.name} tts=${tts.name}`,
  );
  if (!azure) log.warn({ event: EVENTS.PROVIDERS }, 'no AZURE_SPEECH_KEY: offline voice (espeak-ng) and no speech recognition; keypad (DTMF) input works');
  if (!config.openaiApiKey) log.warn({ event: EVENTS.PROVIDERS }, 'no OPENAI_API_KEY: the scripted offline agent answers');
  return {
    // why: measured — one shared Azure synthesizer serialized 50 calls' sentences (2.4 s p50 to first audio).
    forCall: () => ({ stt, llm, tts: azure ? makeTts() : espeak }),
    phraseTts: tts === espeak ? [espeak] : [tts, espeak],
    greeting: config.greetingText ?? scriptedGreeting ?? 'שלום! במה אפשר לעזור?',
    tools,
  };
}
