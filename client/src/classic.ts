// Entry of the classic-script build (circlecdn.iife.js): a global CircleCDN, plus auto mode.
import { setChunkBase } from './chunks';
import { CircleCDN } from './circle-cdn';
import { autoStart } from './dom/auto';
import { swAutoStart } from './sw-bridge/auto';

(globalThis as { CircleCDN?: typeof CircleCDN }).CircleCDN = CircleCDN;
setChunkBase((document.currentScript as HTMLScriptElement | null)?.src);
autoStart();
swAutoStart();
