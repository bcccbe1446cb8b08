/** The parts of camunda-external-task-client-js (plain JavaScript, no types of its own) the baseline uses. */
declare module 'camunda-external-task-client-js' {
  export interface Task {
    id: string;
    topicName: string;
    processInstanceId?: string;
    [key: string]: unknown;
  }

  export interface TaskService {
    complete(task: Task, variables?: unknown, localVariables?: unknown): Promise<void>;
    extendLock(task: Task, newDuration: number): Promise<void>;
  }

  export type Middleware = (client: Client) => void;

  export interface ClientOptions {
    baseUrl: string;
    workerId?: string;
    /** Tasks per fetch. */
    maxTasks?: number;
    /** Tasks running at once; a fetch asks only for the free slots. */
    maxParallelExecutions?: number;
    /** Wait between two fetches, in ms. */
    interval?: number;
    lockDuration?: number;
    autoPoll?: boolean;
    /** Long-poll time, in ms. */
    asyncResponseTimeout?: number;
    usePriority?: boolean;
    use?: Middleware | Middleware[];
  }

  export class Client {
    constructor(options: ClientOptions);
    subscribe(
      topic: string,
      options: { lockDuration?: number; variables?: string[] },
      handler: (args: { task: Task; taskService: TaskService }) => Promise<void>,
    ): { unsubscribe(): void };
    start(): void;
    stop(): void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const logger: Middleware & { level(level: string): Middleware };
}
