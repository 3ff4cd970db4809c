/** Email tasks. A task module may import another one (here for its types): still no cycle through `app`. */
import { app } from '../app.ts';

export interface Welcome {
  to: string;
  subject: string;
}

export const welcome = app.task('email.welcome', (to: string): Welcome => ({ to, subject: `Welcome, ${to}!` }));
