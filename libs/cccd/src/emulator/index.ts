// Card emulator for tests and demos (also used by the gate's end-to-end tests): build a test CCCD,
// run it in-process or attach it to pcscd's vpcd virtual reader.
export { createTestCard, DEFAULT_PERSON, type TestCard, type TestCardOptions } from './test-card.js';
export { testCardQr } from './test-card-qr.js';
export { EmrtdApplet, type AppletOptions } from './emrtd-applet.js';
export { VpcdLink, VPCD_DEFAULT_PORT } from './vpcd-link.js';
export { ensurePcscd, type PcscdHandle } from './pcscd-harness.js';
export { createCsca, createDocumentSigner, createMasterList, type TestIssuer } from './test-pki.js';
export { facesDir, sampleFacePath } from './test-faces.js';
