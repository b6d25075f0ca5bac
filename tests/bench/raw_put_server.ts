/**
 * The upload benchmark's baseline: the least a server can do with a PUT, `Deno.serve` streaming
 * the request body into a file (`pipeTo` the file's own writable), no session, no chunks, no
 * hash. Prints `raw put listening on <port>`; writes into the folder given as its argument.
 *
 * @module
 */
const folder = Deno.args[0];
let n = 0;
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`raw put listening on ${port}`),
}, async (request) => {
  if (request.method !== "PUT" || !request.body) return new Response(null, { status: 400 });
  const path = `${folder}/put-${n++}`;
  const file = await Deno.open(path, { write: true, createNew: true });
  await request.body.pipeTo(file.writable);
  const { size } = await Deno.stat(path);
  await Deno.remove(path);
  return Response.json({ size });
});
// Stops when the benchmark closes its standard input.
for await (const _ of Deno.stdin.readable) { /* wait */ }
await server.shutdown();
