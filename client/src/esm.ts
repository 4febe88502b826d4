// Entry of the ES module build (circlecdn.js): the public face, plus auto mode when asked for.
import { autoStart } from './dom/auto';
import { swAutoStart } from './sw-bridge/auto';

export * from './index';
autoStart();
swAutoStart();
