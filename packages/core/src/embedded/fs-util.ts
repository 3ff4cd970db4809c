/** Small `node:fs` helpers for the embedded adapters: atomic writes, tolerant reads and directory listings. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** True for a "no such file or directory" error. */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/** True for a "file exists" error. */
export function isExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EEXIST';
}

/** A unique temporary file name. */
export function tempName(): string {
  return `${process.pid}-${Date.now()}-${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Write `data` to `target` atomically: write a temporary file in `tmpDir` (same file system), flush it to disk
 * when `sync`, then rename it over `target`. Readers see the old file or the whole new one, never a part.
 */
export async function writeAtomic(tmpDir: string, target: string, data: string, sync: boolean): Promise<void> {
  const tmp = join(tmpDir, tempName());
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data, 'utf8');
    if (sync) await handle.datasync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, target);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

/** Directory entries, or `[]` when the directory does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** File contents, or `null` when the file does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Remove a file; `false` when it did not exist. */
export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** `mkdir -p`, remembered so each directory is created once per process. */
export function dirMaker(): (dir: string) => Promise<void> {
  const made = new Set<string>();
  return async (dir) => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };
}
