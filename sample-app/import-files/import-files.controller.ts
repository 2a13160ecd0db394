import { Controller, Get, Header, Param, StreamableFile } from '@nestjs/common';
import { contentTypeFor } from './content-type.js';
import { ImportFilesService } from './import-files.service.js';

/** `GET /imports/:name`: an import file with its content type. */
@Controller('imports')
export class ImportFilesController {
  constructor(private readonly files: ImportFilesService) {}

  @Get(':name')
  @Header('X-Content-Type-Options', 'nosniff')
  async file(@Param('name') name: string): Promise<StreamableFile> {
    const body = await this.files.readFile(this.files.pathOf(name));
    return new StreamableFile(body, { type: contentTypeFor(name), length: body.length });
  }
}
