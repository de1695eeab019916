export {
  NermConnectSuccessEvent,
  type NermConnectSuccessDetail,
} from './nerm-connect-success-event.ts';
export { NermConnectErrorEvent, type NermConnectErrorDetail } from './nerm-connect-error-event.ts';
export { NermConnectExitEvent, type NermConnectExitDetail } from './nerm-connect-exit-event.ts';
export {
  NermConnectStepEvent,
  type NermConnectStep,
  type NermConnectStepDetail,
} from './nerm-connect-step-event.ts';
export {
  NermConnectRecoverEvent,
  type NermConnectRecoverDetail,
} from './nerm-connect-recover-event.ts';
