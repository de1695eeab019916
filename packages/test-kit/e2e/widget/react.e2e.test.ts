import { expect } from '@esm-bundle/chai';
import React from 'react';
import ReactDom from 'react-dom';
import ReactDomClient from 'react-dom/client';
import { NermConnect } from '../src/react.ts';
import type { NermConnectSuccessEvent } from '../src/events/nerm-connect-success-event.ts';
import type { NermConnect as NermConnectElement } from '../src/nerm-connect.ts';
import { cleanup, e2e, fillApiKey, linkToken, submit } from './helpers.ts';

afterEach(cleanup);

describe('React wrapper (@nerm-connect/widget/react)', () => {
  it('renders <nerm-connect> with properties and maps events to callbacks', async () => {
    const cfg = await e2e();
    const token = await linkToken();
    const container = document.createElement('div');
    container.dataset.fixture = '';
    document.body.append(container);
    const successes: NermConnectSuccessEvent[] = [];
    const steps: string[] = [];
    const root = ReactDomClient.createRoot(container);
    ReactDom.flushSync(() =>
      root.render(
        React.createElement(NermConnect, {
          brokerUrl: cfg.brokerUrl,
          linkToken: token,
          theme: 'dark',
          locale: 'en',
          onSuccess: (e: NermConnectSuccessEvent) => successes.push(e),
          onEvent: (e: CustomEvent<{ name: string }>) => steps.push(e.detail.name),
        }),
      ),
    );
    const el = container.querySelector('nerm-connect') as NermConnectElement;
    expect(el).to.not.equal(null);
    await el.updateComplete;
    expect(el.brokerUrl).to.equal(cfg.brokerUrl);
    expect(el.linkToken).to.equal(token);
    expect(el.getAttribute('theme')).to.equal('dark');

    await fillApiKey(el);
    await submit(el);
    for (let i = 0; i < 100 && successes.length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(successes).to.have.length(1);
    expect(successes[0]!.detail.publicToken).to.match(/^pt_/);
    expect(steps).to.include('success');
    root.unmount();
  });
});
