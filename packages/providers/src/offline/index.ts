// The embedded providers used when no cloud keys are set: espeak-ng TTS, the scripted LLM, offline STT.
export { EspeakTtsProvider, espeakAvailable, prepareEspeakText, ESPEAK_TTS, type EspeakTtsOptions } from './espeak-tts';
export { WavStreamToMulaw, WavStreamError } from './wav-stream-to-mulaw';
export { ScriptedLlmProvider, type ScriptedLlmOptions, type ScriptedReply } from './scripted-llm';
export {
  AGENT_SCRIPT_ERRORS,
  AgentScriptError,
  DEFAULT_AGENT_SCRIPT_PATH,
  SCRIPTED_LLM,
  loadAgentScript,
  parseAgentScript,
  validateAgentScript,
  type AgentScriptErrorCode,
} from './agent-script-loader';
export type { AgentScript, Bilingual, MenuOption, ScriptAction, ScriptIntent } from './agent-script-types';
export { matchIntent, normalizeWords, phraseOccurs, type IntentMatch } from './intent-matcher';
export { containsHebrew, detectLanguage, languageFromTag, stripNiqqud } from './hebrew-text';
export { DtmfOnlySttProvider, DTMF_ONLY_STT } from './dtmf-only-stt';
export {
  PocketsphinxSttProvider,
  POCKETSPHINX_STT,
  keywordsFromAgentScript,
  type PocketsphinxSttOptions,
} from './pocketsphinx-stt';
