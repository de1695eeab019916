import { expect } from '@esm-bundle/chai';
import React from 'react';
import ReactDom from 'react-dom';
import ReactDomClient from 'react-dom/client';
import { NermConnect } from '@nerm-connect/widget/react';
import type {
  NermConnectSuccessEvent,
  NermConnect as NermConnectElement,
} from '@nerm-connect/widget';
import { cleanup, e2e, fillApiKey, linkToken, submit, until } from './helpers.ts';

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
    await until(() => successes.length > 0);
    expect(successes).to.have.length(1);
    expect(successes[0]!.detail.publicToken).to.match(/^pt_/);
    expect(steps).to.include('success');
    root.unmount();
  });
});
