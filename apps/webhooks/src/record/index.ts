// RECORD mode: the same call goes on turn by turn with <Record> when streaming is not possible.
export { registerRecordMode, MAX_SILENT_PROMPTS } from './register-record-mode';
export type { RecordMode, RecordModeDeps, RecordReason } from './record-mode-types';
export { MemoryConversationStore, type ConversationStore, type ConversationTurn, type MemoryConversationStoreOptions } from './conversation-store';
export { AudioStore, type AudioStoreOptions } from './audio-store';
export { createRecordingFetcher, recordingWavUrl, type FetchRecording, type RecordingFetcherOptions } from './fetch-recording';
export { RecordError, RECORD_ERRORS, type RecordErrorCode } from './record-errors';
export { AUDIO_PATH, CONTINUE_PATH, RECORDING_PATH, RESUME_PATH } from './record-twiml';
