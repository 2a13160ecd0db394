import { Module, type DynamicModule } from '@nestjs/common';
import { IMPORT_DIR } from './import-dir.token.js';
import { ImportFilesController } from './import-files.controller.js';
import { ImportFilesService } from './import-files.service.js';

/** Serves the files of an import directory, cached in the `files` region. */
@Module({})
export class ImportFilesModule {
  /** @param importDir Absolute directory to serve files from. */
  static register(importDir: string): DynamicModule {
    return {
      module: ImportFilesModule,
      controllers: [ImportFilesController],
      providers: [{ provide: IMPORT_DIR, useValue: importDir }, ImportFilesService],
      exports: [ImportFilesService],
    };
  }
}
