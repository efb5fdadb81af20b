import { describeErrorResponse, describeUnusableSuccessBody, parseErrorBody } from '../../lambda/hopae/response-body';

describe('parseErrorBody', () => {
  it('reads the Workspace API shape', () => {
    expect(parseErrorBody('{"error":{"code":"RESOURCE_NOT_FOUND","message":"m","details":{}},"request_id":"req_1"}')).toEqual({
      code: 'RESOURCE_NOT_FOUND',
      requestId: 'req_1',
      bodyShape: 'workspace-error',
    });
  });

  it('reads RFC 7807 problem details, preferring the title', () => {
    expect(parseErrorBody('{"type":"urn:org:hopae:problem-type:client/100001","title":"AUTH.INVALID_CREDENTIALS","status":401,"code":100001}').code).toBe(
      'AUTH.INVALID_CREDENTIALS',
    );
    expect(parseErrorBody('{"type":"urn:x","status":401,"code":100001}').code).toBe('100001');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['<!DOCTYPE html><html></html>', 'html'],
    ['<html><body>502</body></html>', 'html'],
    ['Bad Gateway', 'non-JSON'],
    ['42', 'non-JSON'],
    ['{"message":"hi"}', 'other JSON'],
  ])('names the shape of %j', (body, shape) => {
    expect(parseErrorBody(body)).toMatchObject({ code: undefined, bodyShape: shape });
  });

  it('does not echo a code that is long or holds odd characters', () => {
    expect(parseErrorBody(JSON.stringify({ error: { code: 'x'.repeat(200) } })).code).toBeUndefined();
    expect(parseErrorBody(JSON.stringify({ error: { code: 'has spaces and "quotes"' } })).code).toBeUndefined();
  });
});

describe('describeErrorResponse', () => {
  it('labels with status, code and request id', () => {
    expect(describeErrorResponse(404, '{"error":{"code":"RESOURCE_NOT_FOUND"},"request_id":"r1"}').label).toBe(
      '404 RESOURCE_NOT_FOUND, request_id r1',
    );
    expect(describeErrorResponse(502, '<html></html>').label).toBe('502 (html body)');
    expect(describeErrorResponse(500, '{"x":1}').label).toBe('500 (unrecognised JSON body)');
  });
});

describe('describeUnusableSuccessBody', () => {
  it.each([
    ['', 'an empty body'],
    ['<html>', 'an HTML body'],
    ['nope', 'a non-JSON body'],
    ['[1]', 'JSON that is not an object'],
    ['{}', 'JSON without clientSecret'],
    ['{"clientSecret":""}', 'an empty clientSecret'],
    ['{"clientSecret":null}', 'a clientSecret that is not a string (null)'],
    ['{"clientSecret":7}', 'a clientSecret that is not a string (number)'],
  ])('%j is %s', (body, description) => {
    expect(describeUnusableSuccessBody(body)).toBe(description);
  });
});

describe('response bodies: the edges', () => {
  it.each([
    ['<?xml version="1.0"?><error/>', 'html'],
    ['<HEAD></HEAD>', 'html'],
    ['  <body>oops</body>', 'html'],
    ['x<html>', 'non-JSON'],
    ['"just a string"', 'non-JSON'],
    ['null', 'non-JSON'],
  ])('names the shape of %j', (body, shape) => {
    expect(parseErrorBody(body)).toMatchObject({ code: undefined, bodyShape: shape });
  });

  it('reads a request id under either name, preferring request_id', () => {
    expect(parseErrorBody('{"requestId":"r-2"}')).toEqual({ code: undefined, requestId: 'r-2', bodyShape: 'other JSON' });
    expect(parseErrorBody('{"request_id":"r-1","requestId":"r-2"}').requestId).toBe('r-1');
  });

  it('takes an error object without a string code for no code at all', () => {
    expect(parseErrorBody('{"error":{"code":7},"request_id":"r"}')).toEqual({ code: undefined, requestId: 'r', bodyShape: 'other JSON' });
    expect(parseErrorBody('{"error":null}')).toEqual({ code: undefined, requestId: undefined, bodyShape: 'other JSON' });
  });

  it('reads problem details with only a title, or only a type and a non-numeric code', () => {
    expect(parseErrorBody('{"title":"AUTH.X"}')).toEqual({ code: 'AUTH.X', requestId: undefined, bodyShape: 'problem-details' });
    expect(parseErrorBody('{"type":"urn:x","code":"abc"}')).toEqual({ code: undefined, requestId: undefined, bodyShape: 'problem-details' });
  });

  it('echoes codes of up to 80 token characters, and no longer ones', () => {
    const code = 'A.b:c-d/e_9'.padEnd(80, 'x');
    expect(parseErrorBody(JSON.stringify({ error: { code } })).code).toBe(code);
    expect(parseErrorBody(JSON.stringify({ error: { code: `${code}x` } })).code).toBeUndefined();
    expect(parseErrorBody(JSON.stringify({ error: { code: '' } })).code).toBeUndefined();
  });

  it('labels a request id without a code, an empty body, and an unreadable body', () => {
    expect(describeErrorResponse(500, '{"request_id":"r9"}').label).toBe('500 (unrecognised JSON body), request_id r9');
    expect(describeErrorResponse(503, '').label).toBe('503 (empty body)');
    expect(describeErrorResponse(502, 'ignored', 'larger than 65536 bytes')).toEqual({
      label: '502 (body larger than 65536 bytes)',
      details: { code: undefined, requestId: undefined, bodyShape: 'unreadable' },
    });
  });

  it.each([
    ['   ', 'an empty body'],
    ['  <p>', 'an HTML body'],
    ['null', 'JSON that is not an object'],
    ['"s"', 'JSON that is not an object'],
    ['{"clientSecret":true}', 'a clientSecret that is not a string (boolean)'],
  ])('describes the success body %j as %s', (body, description) => {
    expect(describeUnusableSuccessBody(body)).toBe(description);
  });
});
