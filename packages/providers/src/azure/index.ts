// Azure Speech adapters: streaming STT and TTS over the microsoft-cognitiveservices-speech-sdk.
export { AzureSttProvider, type AzureSttOptions } from './azure-stt';
export { AzureTtsProvider, type AzureTtsOptions } from './azure-tts';
export type { AzureEndpointOptions } from './speech-sdk';
export { buildSsml, escapeXml } from './ssml';
