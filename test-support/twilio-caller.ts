// Plays Twilio against a running stack: signed webhook posts, and a call placed the way Twilio places one.
import { parseTwiml, SimulatedCall, type TwimlVerb } from '@tva/call-simulator';
import { twilioSignature } from '@tva/security';
import type { Stack } from '../apps/cli/src/stack/start-stack';
import { postForm } from '../apps/cli/src/stack/http-get';

export interface TwilioCaller {
  /** A POST signed with the auth token, as Twilio makes it (`pathOrUrl` may be a full URL, e.g. a <Connect action>). */
  post(pathOrUrl: string, form: Record<string, string>): ReturnType<typeof postForm>;
  /** incoming_call → <Connect><Stream> → a connected simulated call, and the <Connect action> URL. */
  placeCall(callSid: string, form?: Record<string, string>): Promise<{ call: SimulatedCall; action: string }>;
}

export function twilioCaller(stack: Stack, authToken: string): TwilioCaller {
  const post: TwilioCaller['post'] = (pathOrUrl, form) => {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${stack.baseUrl}${pathOrUrl}`;
    return postForm(url, form, { 'x-twilio-signature': twilioSignature(authToken, url, form) });
  };
  return {
    post,
    async placeCall(callSid, form = {}) {
      const res = await post('/webhook/incoming_call', { CallSid: callSid, ...form });
      const connect = parseTwiml(res.body)[0] as TwimlVerb | undefined;
      if (connect?.verb !== 'Connect' || !connect.stream) throw new Error(`incoming_call did not answer <Connect><Stream>: ${res.status} ${res.body.slice(0, 200)}`);
      const url = connect.stream.url;
      const call = await SimulatedCall.connect({ url, headers: { 'x-twilio-signature': twilioSignature(authToken, url) }, callSid, customParameters: connect.stream.parameters });
      return { call, action: connect.attrs['action'] as string };
    },
  };
}
