import { MAX_BODY_BYTES, readBodyCapped } from '../../lambda/hopae/http';

/** A body that never ends, and how much of it was pulled. */
function endlessBody() {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 16 * 1024;
      controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

describe('readBodyCapped', () => {
  it('reads a small UTF-8 body as text', async () => {
    await expect(readBodyCapped(new Response('{"clientSecret":"é"}'), MAX_BODY_BYTES)).resolves.toEqual({ body: '{"clientSecret":"é"}' });
  });

  it('reads a body of exactly the cap', async () => {
    const body = 'a'.repeat(MAX_BODY_BYTES);

    await expect(readBodyCapped(new Response(body), MAX_BODY_BYTES)).resolves.toEqual({ body });
  });

  it('stops at the cap and cancels a body that never ends, instead of reading it all', async () => {
    const endless = endlessBody();

    const read = await readBodyCapped(new Response(endless.stream), MAX_BODY_BYTES);

    expect(read).toEqual({ body: '', bodyProblem: `larger than ${MAX_BODY_BYTES} bytes` });
    expect(endless.cancelled()).toBe(true);
    expect(endless.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * 16 * 1024);
  });

  it('refuses a Content-Length over the cap without reading the body', async () => {
    const endless = endlessBody();
    const response = new Response(endless.stream, { headers: { 'content-length': String(MAX_BODY_BYTES + 1) } });

    const read = await readBodyCapped(response, MAX_BODY_BYTES);

    expect(read).toEqual({ body: '', bodyProblem: `larger than ${MAX_BODY_BYTES} bytes (Content-Length ${MAX_BODY_BYTES + 1})` });
    expect(endless.pulled()).toBeLessThanOrEqual(16 * 1024);
  });

  it('refuses bytes that are not UTF-8 instead of replacing them', async () => {
    const bytes = Buffer.concat([Buffer.from('{"clientSecret":"'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]);

    await expect(readBodyCapped(new Response(bytes), MAX_BODY_BYTES)).resolves.toEqual({ body: '', bodyProblem: 'not valid UTF-8' });
  });

  it('reads an absent body as empty', async () => {
    await expect(readBodyCapped(new Response(null, { status: 204 }), MAX_BODY_BYTES)).resolves.toEqual({ body: '' });
  });
});
