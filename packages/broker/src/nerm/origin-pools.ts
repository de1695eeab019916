import type { Agent } from 'undici';

export type AgentFactory = (options: Agent.Options) => Agent;

const MAX_AGENTS = 256;

export interface PoolLease {
  key: string;
  agent: Agent;
}

/**
 * One undici Agent per tenant origin (and per address policy), at most 256, oldest
 * dropped first. An agent that stops answering is replaced, not waited on: the old one
 * closes gracefully and is destroyed after `drainMs` (docs/security.md, finding 1).
 */
export class OriginPools {
  private readonly agents = new Map<string, Agent>();
  /** Agents replaced because they misbehaved; for the log and tests. */
  replaced = 0;

  constructor(
    private readonly options: {
      agentOptions: (allowPrivate: boolean) => Agent.Options;
      createAgent: AgentFactory;
      drainMs: number;
    },
  ) {}

  lease(origin: string, allowPrivate: boolean): PoolLease {
    const key = `${allowPrivate ? 'x' : 'p'}|${origin}`;
    const existing = this.agents.get(key);
    if (existing) return { key, agent: existing };
    if (this.agents.size >= MAX_AGENTS) {
      const [oldestKey, oldest] = this.agents.entries().next().value as [string, Agent];
      this.agents.delete(oldestKey);
      void oldest.close();
    }
    const agent = this.options.createAgent(this.options.agentOptions(allowPrivate));
    this.agents.set(key, agent);
    return { key, agent };
  }

  /** Drops `lease`'s agent unless another caller already replaced it. */
  replace(lease: PoolLease): void {
    if (this.agents.get(lease.key) !== lease.agent) return;
    this.agents.delete(lease.key);
    this.replaced++;
    void retire(lease.agent, this.options.drainMs);
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => retire(a, this.options.drainMs)));
  }
}

/** Lets requests still running finish, then destroys what never drains. */
function retire(agent: Agent, drainMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      agent.destroy().then(resolve, resolve);
    }, drainMs);
    timer.unref();
    agent.close().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => undefined,
    );
  });
}
