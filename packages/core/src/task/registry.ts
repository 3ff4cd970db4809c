/** The app's task registry: name → task. */
import { NotRegisteredError, QError } from '../errors/q-error.js';
import type { Task } from './task.js';

/** Any task, whatever its argument and result types. */

export type AnyTask = Task<unknown[], unknown>;

/** Registered tasks by name. */
export class TaskRegistry implements Iterable<AnyTask> {
  readonly #tasks = new Map<string, AnyTask>();

  /** Adds a task. @throws QError `Q_ERR_TASK_DUPLICATE` when the name is taken. */
  register(task: AnyTask): void {
    if (this.#tasks.has(task.name)) {
      throw new QError('Q_ERR_TASK_DUPLICATE', `a task named "${task.name}" is already registered`);
    }
    this.#tasks.set(task.name, task);
  }

  /** The task, or `undefined`. */
  get(name: string): AnyTask | undefined {
    return this.#tasks.get(name);
  }

  /** The task. @throws NotRegisteredError `Q_ERR_TASK_NOT_REGISTERED`. */
  require(name: string): AnyTask {
    const task = this.#tasks.get(name);
    if (!task) throw new NotRegisteredError('Q_ERR_TASK_NOT_REGISTERED', `task "${name}" is not registered`);
    return task;
  }

  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.#tasks.keys()].sort();
  }

  get size(): number {
    return this.#tasks.size;
  }

  [Symbol.iterator](): Iterator<AnyTask> {
    return this.#tasks.values();
  }
}
