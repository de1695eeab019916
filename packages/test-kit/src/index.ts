/**
 * `@nerm-connect/test-kit`: what the tests, the demo and the bench share, once. Node side
 * here; the browser side (axe, driving `<nerm-connect>`) under `./browser/*`.
 */
export { REPO_ROOT, spawnNode, readLine, readJsonLine, finished, stop } from './process.ts';
export type { SpawnOptions, ReadOptions, Finished } from './process.ts';
export { freePort, portOrAny, serveLocally, type LocalServer } from './ports.ts';
export {
  CHROMIUM_ARGS,
  findChromium,
  chromiumForTests,
  chromiumLaunchOptions,
  launchChromium,
} from './chromium.ts';
export {
  startBrokerProcess,
  startSandboxProcess,
  startStack,
  type BrokerProcess,
  type SandboxInfo,
  type SandboxOptions,
  type Stack,
  type StackOptions,
} from './stack.ts';
export { startTcpDoor, type TcpDoor, type DoorState } from './tcp-door.ts';
