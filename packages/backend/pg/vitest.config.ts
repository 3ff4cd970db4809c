import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../../vitest.shared.ts';
import { pgConditions } from './vitest.conditions.ts';

export default defineConfig({ ...sharedConfig, ...pgConditions });
