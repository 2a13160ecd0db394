import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** Daily reports: a controller handler cached per user with `@Cached` as an interceptor. */
@Module({ controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
