// The fake Azure Speech service and the test audio that drives it.
export { startFakeAzureSpeech } from './fake-azure-speech';
export type {
  FakeAzureSpeech,
  FakeAzureSpeechOptions,
  FakeFaults,
  FakeServiceKind,
  FakeSttOptions,
  FakeTranscript,
  FakeTtsOptions,
  FakeTtsTurn,
} from './fake-azure-speech-options';
export { speechLikeMulaw, silenceMulaw } from './test-audio';
