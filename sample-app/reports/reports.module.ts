import { Module } from '@nestjs/common';
import { LeasesModule } from '../leases/leases.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/**
 * Daily reports (a controller handler cached per user with `@Cached` as an interceptor) and lease
 * reports (a service method cached per user, read from the lease book).
 */
@Module({ imports: [LeasesModule], controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
