import { Module } from '@nestjs/common';
import { LeaseService } from './lease.service.js';
import { LeasesController } from './leases.controller.js';

/** Per-user lease computations cached in the `functions` region. */
@Module({ controllers: [LeasesController], providers: [LeaseService] })
export class LeasesModule {}
