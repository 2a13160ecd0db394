import { Module } from '@nestjs/common';
import { LeaseBook } from './lease-book.js';
import { LeaseService } from './lease.service.js';
import { LeasesController } from './leases.controller.js';

/** Per-user lease computations cached in the `functions` region, and the lease book they read. */
@Module({ controllers: [LeasesController], providers: [LeaseBook, LeaseService], exports: [LeaseBook] })
export class LeasesModule {}
