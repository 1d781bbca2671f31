// Starts the built dev server (target/debug/dev-server) on a free port with a pinned clock and
// a fresh store file, and stops it again, also when a test fails.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const staffKey = 'e2e-staff-key';
export const library = { name: 'テスト市立図書館', phone: '075-000-1234' };

function devServerBinary() {
  if (process.env.DEV_SERVER_BIN) return process.env.DEV_SERVER_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(repoRoot, process.env.CARGO_TARGET_DIR)
    : path.join(repoRoot, 'target');
  return path.join(targetDir, 'debug', 'dev-server');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const running = new Set();
const logs = [];

// The end of every running server's log, for failure messages.
export function serverLogTail(chars = 3000) {
  return logs.map((read) => read().slice(-chars)).join('\n');
}
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

// `env`: more settings for this server (e.g. POLICY_CLOSED_WEEKDAYS).
export async function startServer({ now, env: extra = {} }) {
  const binary = devServerBinary();
  if (!existsSync(binary)) {
    throw new Error(`dev server binary not found at ${binary}: run "cargo build -p dev-server" first`);
  }
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mypage-e2e-'));
  const env = {
    ...process.env,
    PORT: String(port),
    MYPAGE_DATA: path.join(dataDir, 'store.db'),
    MYPAGE_NOW: now,
    STAFF_API_KEY: staffKey,
    WEB_ROOT: path.join(repoRoot, 'web'),
    LIBRARY_NAME: library.name,
    LIBRARY_PHONE: library.phone,
    ...extra,
  };
  const child = spawn(binary, [], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  let exited = null;
  const keep = (chunk) => {
    log = (log + chunk.toString()).slice(-20000);
  };
  logs.push(() => (exited ? `${log}\n[dev server exited: ${JSON.stringify(exited)}]` : log));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`dev server exited early (${JSON.stringify(exited)}):\n${log}`);
    try {
      const response = await fetch(`${baseUrl}/config.json`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dev server did not answer within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    baseUrl,
    log: () => log,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitPromise;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
