import { djangoTarget } from './django.js';
import { rawTarget } from './raw.js';
import { salonClusterTarget, salonTarget } from './salon.js';
import type { Target, TargetName } from './types.js';

export const TARGETS: Record<TargetName, Target> = {
  salon: salonTarget,
  'salon-cluster': salonClusterTarget,
  django: djangoTarget,
  raw: rawTarget,
};

export * from './types.js';
