/**
 * Every problem found while loading, in the order found, each tied to the key it is about. Later
 * steps ask `isClean(key)` so one mistake is reported once: a key whose substitution failed is
 * not type-checked again, and a rule between keys is skipped when one of its keys is already wrong.
 */
export class Problems {
  private readonly lines: string[] = [];
  private readonly paths = new Set<string>();

  /** Adds "<path>: <reason>". */
  add(path: string, reason: string): void {
    this.addMessage([path], `${path}: ${reason}`);
  }

  /** Adds a message worded freely, about the given keys. */
  addMessage(paths: string[], message: string): void {
    if (this.lines.includes(message)) return;
    this.lines.push(message);
    for (const p of paths) this.paths.add(p);
  }

  /** True when no problem was recorded for this key, a section holding it or a value inside it. */
  isClean(path: string): boolean {
    for (const p of this.paths) {
      if (p === path || isInside(path, p) || isInside(p, path)) return false;
    }
    return true;
  }

  get count(): number {
    return this.lines.length;
  }

  messages(): string[] {
    return [...this.lines];
  }
}

function isInside(inner: string, outer: string): boolean {
  return outer === '' || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

/** Joins a key path: `server` + `listen` = `server.listen`; `resolvers` + 1 = `resolvers[1]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
