import type { LoadedModel } from './loaded-model';

/** OpenAPI 3.0 document of the server, generated from each model's feature schema. */
export function openApiDocument(models: readonly LoadedModel[], options: { keyAuth: boolean }): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {
    '/': { get: { summary: 'Liveness', responses: { '200': { description: 'Healthy', content: { 'text/plain': { schema: { type: 'string', example: 'Healthy' } } } } } } },
    '/ready': { get: { summary: 'Readiness: 200 once every model is loaded', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } },
  };
  for (const model of models) {
    const record = `${model.name}_record`;
    schemas[record] = {
      type: 'object',
      required: model.features.filter((f) => f.required).map((f) => f.name),
      properties: Object.fromEntries(
        model.features.map((f) => [f.name, f.kind === 'numeric' ? { type: 'number', nullable: !f.required } : { type: 'string', nullable: !f.required, ...(f.categories ? { enum: [...f.categories] } : {}) }]),
      ),
      additionalProperties: true,
    };
    const operation = {
      summary: `Score records with the ${model.kind} model '${model.name}'`,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: `#/components/schemas/${record}` } } } }, example: { data: [model.example] } } },
      },
      responses: {
        '200': { description: 'One result per record, in the model\'s documented JSON shape', content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } } },
        '400': { description: 'A field or body that does not fit the schema', content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } } },
        ...(options.keyAuth ? { '401': { description: 'Missing or wrong key' } } : {}),
        '413': { description: 'Body over the size limit' },
        '503': { description: 'Model not loaded or disposed' },
      },
      ...(options.keyAuth ? { security: [{ key: [] }] } : {}),
    };
    paths[`/score/${model.name}`] = { post: operation };
    if (models.length === 1) paths['/score'] = { post: operation };
  }
  schemas.error = {
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } } } },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'KDAP ML scoring server', version: '1' },
    paths,
    components: { schemas, ...(options.keyAuth ? { securitySchemes: { key: { type: 'http', scheme: 'bearer' } } } : {}) },
  };
}
