// Compare two checkpoints on one dataset: the engine behind the Compare panel and `embedding-lens compare`.
export { runComparison, type ComparisonInput, type ComparisonRun, type ComparisonSink, type Side } from './run';
export {
  compareInspections,
  itemPaths,
  sideName,
  DEFAULT_LIST_SIZE,
  type Comparison,
  type CompareOptions,
  type CompareSide,
} from './compare';
export {
  scopeEmbeddings,
  trainedClassesOf,
  fineTuneSideOf,
  heldOutRows,
  subsetEmbeddings,
  type TrainedClasses,
  type FineTuneSide,
} from './heldOut';
export { scopeHeadline, scopeJson, scopeWarning, seenItems, ITEMS_CHOICES, type ItemScope, type ItemsChoice } from './scope';
export { matchItems, hasItemIdentities, type ItemMatch, type MatchSource } from './match';
export { neighbourhoodChange, mostChanged, type NeighbourhoodChange } from './neighbourhood';
export { headlineDeltas, classDeltas, eetDeltas, CLASS_KEYS } from './deltas';
export { dataInAOrder, graphInAOrder } from './reorder';
export {
  compareDeltasJson,
  writeCompareJson,
  writeCompareCsv,
  headlineCsv,
  classesCsv,
  eetCsv,
  itemsCsv,
  jaccardCsv,
  jaccardHistogram,
  type DeltasExtras,
} from './export';
export { writeCompareReport, compareReportHtml, type CompareReportOptions } from './report';
