import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY, BEARER_SECURITY } from './auth/authenticated.decorator';
import { AppConfig } from './config/app-config';
import { SANDBOX_RETURN_URL } from './common/http/api-examples';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const { publicUrl } = app.get(AppConfig);
  const config = new DocumentBuilder()
    .setTitle('Billing sessions service')
    .setDescription(
      'Start and manage paid subscriptions through hosted checkout and billing-portal pages. ' +
        "The truth about each account's subscription comes from the payment provider's webhooks.\n\n" +
        'Authenticate with an API key (`x-api-key`) or a JWT (`Authorization: Bearer`). An API key is ' +
        'created with `npm run cli -- api-keys:create --account <id>`.',
    )
    .setVersion('1.0.0')
    // The service's own address (PUBLIC_URL), so that a client generated from the document and
    // Swagger UI's requests go where it is served; the committed openapi.json has the default.
    .addServer(publicUrl)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key of this service.' },
      API_KEY_SECURITY,
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A JWT, or an API key.' }, BEARER_SECURITY)
    .build();
  // package.json's: the service is not licensed for use by others (setLicense would add an empty url).
  config.info.license = { name: 'UNLICENSED' };
  return atPublicUrl(SwaggerModule.createDocument(app, config), publicUrl);
}

/**
 * The examples that lead to the sandbox's landing page are written for the default address; a
 * service served elsewhere (PUBLIC_URL) shows them with its own, so that they work there as they are.
 */
function atPublicUrl(document: OpenAPIObject, publicUrl: string): OpenAPIObject {
  const own = `${publicUrl.replace(/\/+$/, '')}/sandbox/return`;
  if (own === SANDBOX_RETURN_URL) return document;
  return JSON.parse(JSON.stringify(document).split(SANDBOX_RETURN_URL).join(own)) as OpenAPIObject;
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    swaggerOptions: { persistAuthorization: true, tryItOutEnabled: false },
  });
}
