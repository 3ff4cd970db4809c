/**
 * A client: imports the tasks it calls (typed: `add.delay('2', 2)` does not compile), sends them and waits for
 * their results. Run it beside a worker, from the folder whose `.q` the worker uses (the embedded broker):
 *
 *   node --conditions=@q/source --import tsx examples/project-layout/client.ts
 */
import { app } from './app.ts';
import { welcome } from './tasks/email.ts';
import { add } from './tasks/math.ts';

const sum = await add.delay(2, 2);
const mail = await welcome.delay('ada@example.com');
console.log(await sum.get({ timeout: 10 }));
console.log((await mail.get({ timeout: 10 })).subject);
await app.close();
