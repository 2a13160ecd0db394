import { Module } from '@nestjs/common';
import { CacheAdminController } from './cache-admin.controller.js';

/** Region stats and clearing over HTTP (CacheRegions comes from the global CacheRegionsModule). */
@Module({ controllers: [CacheAdminController] })
export class CacheAdminModule {}
