// The environment that points the stack's voice agent at local fake Azure Speech and OpenAI services.

export function fakeProvidersEnv(o: { azureUrl: string; azureKey: string; openaiUrl: string; openaiKey: string }): Record<string, string> {
  return {
    AGENT: 'voice',
    AZURE_SPEECH_KEY: o.azureKey,
    AZURE_SPEECH_HOST: o.azureUrl,
    OPENAI_API_KEY: o.openaiKey,
    OPENAI_BASE_URL: o.openaiUrl,
  };
}
