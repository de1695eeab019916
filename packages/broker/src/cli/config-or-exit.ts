import { ConfigError, loadConfig, type BrokerConfig } from '../config.ts';

/** For commands: the configuration, or a readable list of problems and exit code 78 (EX_CONFIG). */
export async function configOrExit(): Promise<BrokerConfig> {
  try {
    return await loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78);
  }
}
