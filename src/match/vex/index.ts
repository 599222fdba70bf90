/**
 * VEX for the matcher: read OpenVEX and CycloneDX VEX documents (`--vex FILE`, repeatable) and
 * apply them to findings. See README.md for the matching rules.
 */
export { applyVex, type ApplyVexOptions, type VexInventory, type VexResult } from './apply.js';
export { SBOM_IMAGE_BOM_REF } from './image.js';
export { SUPPRESSING_STATUSES, type VexDocument, type VexFormat, type VexStatement, type VexStatus } from './model.js';
export { detectVexFormat, MAX_VEX_BYTES, parseVexDocument, readVexDocument, type ParseVexOptions } from './parse.js';
