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
