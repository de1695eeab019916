import { createComponent, type EventName } from '@lit/react';
import React from 'react';
import { defineNermConnect } from './define.ts';
import type { NermConnectErrorEvent } from './events/nerm-connect-error-event.ts';
import type { NermConnectExitEvent } from './events/nerm-connect-exit-event.ts';
import type { NermConnectStepEvent } from './events/nerm-connect-step-event.ts';
import type { NermConnectSuccessEvent } from './events/nerm-connect-success-event.ts';
import { NermConnect as NermConnectElement } from './nerm-connect.ts';

defineNermConnect();

/**
 * `<NermConnect brokerUrl linkToken onSuccess onError onExit onEvent />` for React.
 * Props are the element's properties; callbacks receive the typed events.
 */
export const NermConnect = createComponent({
  tagName: 'nerm-connect',
  elementClass: NermConnectElement,
  react: React,
  events: {
    onSuccess: 'nerm-connect-success' as EventName<NermConnectSuccessEvent>,
    onError: 'nerm-connect-error' as EventName<NermConnectErrorEvent>,
    onExit: 'nerm-connect-exit' as EventName<NermConnectExitEvent>,
    onEvent: 'nerm-connect-event' as EventName<NermConnectStepEvent>,
  },
});
