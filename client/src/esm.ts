// Entry of the ES module build (circlecdn.js): the public face, plus auto mode when asked for.
import { autoStart } from './dom/auto';

export * from './index';
autoStart();
