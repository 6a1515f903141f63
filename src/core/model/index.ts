/** The data model shared by the engine, the host, the webview and the reports (see inspection.ts). */
export * from './inspection';
export * from './compare';
export * from './codec';
