import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../telemetry/logger.js';
import { loadManifest, type Manifest, type TrustedDocuments } from './trusted-documents.js';

/** How often the manifest file's modification time is checked (ms). */
export const MANIFEST_POLL_MS = 1000;

/**
 * Keeps the trusted documents in step with their manifest file without a
 * restart: the file is checked every second (fs.watchFile follows a file
 * that a build replaces by renaming, which fs.watch loses) and reloaded on
 * SIGHUP. A reload that does not read or parse keeps the previous manifest
 * and logs why. `names` (the operation names Prometheus labels with) is
 * updated in place. Returns the function that stops watching.
 */
export function watchManifest(
  path: string,
  documents: TrustedDocuments,
  names: Set<string>,
  log: Logger,
): () => void {
  const reload = (reason: 'changed' | 'SIGHUP') => {
    let manifest: Manifest;
    try {
      manifest = loadManifest(path);
    } catch (error) {
      log.warn(
        { manifest: path, reason, err: (error as Error).message, kept: documents.manifestSize },
        'trusted documents not reloaded: the previous manifest stays',
      );
      return;
    }
    documents.replaceManifest(manifest.documents);
    names.clear();
    for (const name of manifest.operationNames) names.add(name);
    log.info({ manifest: path, reason, documents: manifest.documents.size }, 'trusted documents reloaded');
  };
  const onChange = (current: { mtimeMs: number }, previous: { mtimeMs: number }) => {
    if (current.mtimeMs !== previous.mtimeMs) reload('changed');
  };
  const onHangup = () => reload('SIGHUP');
  watchFile(path, { interval: MANIFEST_POLL_MS, persistent: false }, onChange);
  process.on('SIGHUP', onHangup);
  return () => {
    unwatchFile(path, onChange);
    process.off('SIGHUP', onHangup);
  };
}
