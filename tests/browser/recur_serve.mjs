// What the browser tests share: a real `recur serve` on a loopback port the system picks, read
// from the address its start-up log line names, and stopping it.
import { spawn } from 'node:child_process';
import path from 'node:path';

// Starts `binary serve` on `database` with the shipped plans (in `sourceDir`) and `args`, its
// secret key `secretKey` and `env` added to the environment. Resolves to {child, origin} once it
// listens; rejects when it exits first or has not started within 15 s.
export function startRecur({ binary, sourceDir, database, secretKey, args = [], env = {} }) {
  const child = spawn(
    binary,
    ['serve', '--addr', '127.0.0.1:0', '--db', database, '--plans', path.join(sourceDir, 'plans'),
     ...args],
    { env: { ...process.env, RECUR_SECRET_KEY: secretKey, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('recur serve did not start:\n' + stderr)), 15000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = stderr.match(/"addr":"127\.0\.0\.1:(\d+)"/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, origin: `http://127.0.0.1:${match[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`recur serve exited with ${code}:\n${stderr}`)));
  });
}

// Stops a process started here with SIGTERM and waits for it to exit.
export async function stopProcess(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
