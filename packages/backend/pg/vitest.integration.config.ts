import { defineConfig } from 'vitest/config';
import { integrationConfig } from '../../../vitest.shared.ts';
import { pgConditions } from './vitest.conditions.ts';

export default defineConfig({ ...integrationConfig, ...pgConditions });
