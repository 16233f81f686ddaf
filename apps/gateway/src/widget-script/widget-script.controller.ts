import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Answers } from '../http/documented';

/** The bundle `npm run build` writes (apps/widget/build.mjs), beside the gateway's own build. */
const SCRIPT = join(__dirname, '..', '..', '..', 'widget', 'v1.js');

/** `GET /v1.js`: the widget script customers embed with `<script src=".../v1.js" async>`. */
@Controller()
export class WidgetScriptController {
  private script?: Promise<string>;

  @Get('v1.js')
  @Answers({ summary: 'the widget script', status: 200, produces: { type: 'text/javascript', description: 'the script customers embed' }, errors: [404] })
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  @Header('access-control-allow-origin', '*')
  async serve(): Promise<string> {
    this.script ??= readFile(SCRIPT, 'utf8');
    try {
      return await this.script;
    } catch {
      this.script = undefined;
      throw new NotFoundException('the widget script is not built (npm run build)');
    }
  }
}
