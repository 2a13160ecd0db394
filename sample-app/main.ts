import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { readSampleSettings } from './cache-config.js';

// Settings come from the environment: PORT, HOST, MEMCACHED_SERVERS or REDIS_URL, CACHE_DIR, IMPORT_DIR.
const settings = readSampleSettings(process.env);
const app = await NestFactory.create(AppModule.forEnv(process.env));
// Closes the regions' connections and timers on SIGINT/SIGTERM.
app.enableShutdownHooks();
await app.listen(settings.port, settings.host);
new Logger('SampleApp').log(`Listening on ${await app.getUrl()}`);
