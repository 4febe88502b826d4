// Entry of the ES module build (circlecdn.js): the public face, plus auto mode when asked for.
import { setChunkBase } from './chunks';
import { autoStart } from './dom/auto';
import { swAutoStart } from './sw-bridge/auto';

export * from './index';
setChunkBase(import.meta.url);
autoStart();
swAutoStart();
