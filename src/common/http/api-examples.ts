/**
 * Examples in the OpenAPI document that work as they are against `npm start` (the sandbox on
 * http://localhost:3000, whose own origin is an allowed redirect origin): Swagger UI's "Try it
 * out" takes the first example of a body, so these come first and the API documents' own follow.
 */
export const SANDBOX_RETURN_URL = 'http://localhost:3000/sandbox/return';

export const sandboxReturn = (query: string): string => `${SANDBOX_RETURN_URL}?${query}`;
