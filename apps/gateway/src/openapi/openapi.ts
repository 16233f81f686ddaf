import { describedFields } from '@inviaro/contracts';
import { INestApplication, Type } from '@nestjs/common';
import { ApiProperty, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { AdminModule } from '../admin/admin.module';
import { WidgetModule } from '../widget/widget.module';
import { allowAnyValues, describeFromValidators } from './validator-schemas';

/** The modules whose routes the description covers: the widget API and the admin API. */
const DOCUMENTED = [WidgetModule, AdminModule];

const OPENAPI_PATH = '/openapi.json';
const DOCS_PATH = '/docs';
/** Where the description is served: the operator's port where one is set (OPS_PORT). */
export const API_DESCRIPTION_PATHS = [OPENAPI_PATH, DOCS_PATH];

/** The OpenAPI 3 description of the widget and admin APIs, read from the controllers, their request classes and their answers (libs/contracts). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  for (const cls of requestClasses()) describeFromValidators(cls);
  for (const { answer, property, description } of describedFields()) ApiProperty(description)(answer.prototype as object, property);
  const config = new DocumentBuilder()
    .setTitle('Inviaro gateway')
    .setDescription(
      'The widget API (called from customers’ pages: each call names its widget by `key` and must come from one of its allowed origins) ' +
        'and the admin API (`Authorization: Bearer <admin token>`, scoped to one workspace). Every error is `{"error": {"code", "message"}}`. ' +
        'The contract: docs/api.md in the repository.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'an admin token from `npx inviaro workspace create`' }, 'admin-token')
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: DOCUMENTED });
  allowAnyValues((document.components?.schemas ?? {}) as Parameters<typeof allowAnyValues>[0]);
  return document;
}

/** `GET /openapi.json` and a readable page at `GET /docs`. */
export function serveOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => (document ??= openApiDocument(app)), {
    jsonDocumentUrl: OPENAPI_PATH,
    customSiteTitle: 'Inviaro gateway API',
  });
}

/** The classes of every body and query of the documented controllers, and the classes they extend (before them). */
function requestClasses(): Set<Type> {
  const classes = new Set<Type>();
  const validated = (cls: unknown): cls is Type =>
    typeof cls === 'function' && getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).length > 0;
  for (const module of DOCUMENTED) {
    for (const controller of (Reflect.getMetadata('controllers', module) ?? []) as Type[]) {
      for (const method of Object.getOwnPropertyNames(controller.prototype as object)) {
        for (const param of (Reflect.getMetadata('design:paramtypes', controller.prototype as object, method) ?? []) as unknown[]) {
          const lineage: Type[] = [];
          for (let cls = param; validated(cls); cls = Object.getPrototypeOf(cls)) lineage.unshift(cls);
          for (const cls of lineage) classes.add(cls);
        }
      }
    }
  }
  return classes;
}
