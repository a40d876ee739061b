// Starts the gateway in demo mode for the reference app (examples/pool-board), then serves the app with Vite.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const appOrigin = 'http://127.0.0.1:5173';
const children = [
  spawn('npm', ['start'], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: '4000',
      CORS_ORIGINS: appOrigin,
      PERSISTED_DOCUMENTS: 'examples/pool-board/src/gql/persisted-documents.json',
      PERSISTED_ONLY: 'true',
      POLL_INTERVAL_MS: '1000',
    },
  }),
  spawn('npx', ['vite', 'examples/pool-board', '--host', '127.0.0.1', '--port', '5173', '--strictPort'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VITE_PERSISTED_ONLY: 'true' },
  }),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', stop);
