// The softphone's public surface for the console's pages: draw it into an element.
export { mountSoftphone } from './softphone-view';
export { SoftphoneCall, SOFTPHONE_TOKEN_URL, type SoftphoneCounters, type SoftphoneState } from './softphone-call';
