import 'reflect-metadata';
import { ConfigError, loadConfig, type ParleyConfig } from '../../libs/config/config';
import { SecondWriterError } from '../../libs/wiring/writer-lock';
import { createParleyApp } from './app';

async function main(): Promise<void> {
  let config: ParleyConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  try {
    const app = await createParleyApp(config);
    await app.listen({ port: config.port, host: config.host });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    process.stdout.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'info',
        msg: `Parley API listening on http://${config.host}:${port} (OpenAPI at /docs)`,
        eventStore: config.eventStore.kind,
        readStore: config.readStore.kind,
      }) + '\n',
    );
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SecondWriterError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

void main();
