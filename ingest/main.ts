// `npm run ingest`: the CDC ingest as its own process (docker-compose's `ingest`
// service). The pipeline itself is the next piece of work (issue: CDC ingest);
// until it lands this entry validates its configuration and says plainly that
// there is nothing to run yet, rather than pretending to stream.
import { ConfigError, loadConfig } from '../schemas/config';

try {
  loadConfig();
} catch (err) {
  process.stderr.write(`opstower ingest: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}
process.stderr.write('opstower ingest: the CDC pipeline is not built yet; nothing to run\n');
process.exit(2);
