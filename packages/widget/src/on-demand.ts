// The on-demand chunk: everything `<nerm-connect>` does after its first paint (the session
// check, validation, submit, how a failure reads and where it goes, the success and
// expired screens, and their styles). The element asks for it as it connects, so it has
// arrived before anyone types (docs/decisions/0022-one-file-and-lazy-chunks.md,
// docs/decisions/0110-widget-first-paint-in-the-main-file.md).
//
// This chunk imports nothing from the main file: what it needs of Lit, `format`, the
// labels and the event classes comes in as `kit`. A chunk that imported the main file
// would load a second Lit on a page that serves nerm-connect.js under another name.
export { ConnectFlow } from './connect-flow.ts';
