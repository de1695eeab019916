import { expect } from '@esm-bundle/chai';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import { executeServerCommand } from '@web/test-runner-commands';
import type { NermConnect } from '../src/nerm-connect.ts';
import { failure, FakeTransport } from './fake-transport.ts';
import { $, cleanup, fillApiKey, fillPat, mount, settle, submit, submitButton } from './helpers.ts';

// Every state a person can see, at desktop and phone width, light and dark; saved as PNGs
// under packages/widget/screenshots/ (look at them: they are what a customer sees).

afterEach(async () => {
  cleanup();
  document.body.style.background = '';
  await emulateMedia({ colorScheme: 'light' });
});

const SANDBOX = {
  tenantUrl: 'http://127.0.0.1:4010',
  clientId: 'demo3f9a',
  clientSecret: 's3cr3t',
  apiKey: 'nerm_demo_key',
};

type State = (el: NermConnect, transport: FakeTransport) => Promise<void>;

const states: Record<
  string,
  { attrs?: Record<string, string>; run: State; answer?: ReturnType<typeof failure> }
> = {
  form: { run: async (el) => void (el.sandbox = SANDBOX) },
  'validation-errors': { run: async (el) => submit(el) },
  'token-url-error': {
    answer: failure('tenant_unreachable', {
      message: 'The token URL could not be reached: connect ECONNREFUSED',
      issues: [{ code: 'tenant_unreachable', path: ['auth', 'token_url'], message: '' }],
      requestId: 'req_8Jx2kQ',
    }),
    run: async (el) => {
      await fillPat(el);
      await submit(el);
    },
  },
  'not-set-up': {
    answer: failure('origin_not_allowed'),
    run: async (el) => {
      const warn = console.warn;
      console.warn = () => {};
      await fillApiKey(el);
      await submit(el);
      await settle(el);
      console.warn = warn;
    },
  },
  submitting: {
    run: async (el, transport) => {
      transport.hold();
      await fillApiKey(el);
      submitButton(el).click();
      await settle(el);
    },
  },
  success: { run: async (el) => (await fillApiKey(el), submit(el)) },
  expired: {
    answer: failure('link_token_invalid'),
    run: async (el) => (await fillApiKey(el), submit(el)),
  },
  arabic: { attrs: { locale: 'ar' }, run: async () => {} },
};

for (const [width, height, device] of [
  [1280, 900, 'desktop'],
  [390, 844, 'phone'],
] as const) {
  for (const theme of ['light', 'dark'] as const) {
    for (const [name, state] of Object.entries(states)) {
      it(`${name}, ${device}, ${theme}`, async () => {
        await setViewport({ width, height });
        await emulateMedia({ colorScheme: theme });
        document.body.style.background = theme === 'dark' ? '#0d1117' : '#f6f8fa';
        const transport = new FakeTransport();
        if (state.answer) transport.answer(state.answer);
        const { el } = await mount(
          { theme: 'auto', 'app-name': 'Northwind HR', ...state.attrs },
          { transport },
        );
        el.style.margin = '16px auto';
        await state.run(el, transport);
        await settle(el);
        // Nothing may overflow the phone's width.
        expect(el.getBoundingClientRect().right, 'fits').to.be.at.most(width);
        expect($(el, 'section')).not.to.equal(null);
        const saved = await executeServerCommand('screenshot', {
          name: `${name}-${device}-${theme}`,
        });
        expect(saved).to.equal(true);
        transport.release();
      });
    }
  }
}
